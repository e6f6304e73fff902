"""ReadAlongs Studio's own format (.readalong XML, version 1.2): a text's sentences with their
aligned words, for ReadAlongs' web component and editor. Written, not read."""
