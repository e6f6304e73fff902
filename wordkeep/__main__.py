from wordkeep.cli import main

main()
