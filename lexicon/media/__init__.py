"""Recordings and pictures: where their files live (`storage`), checking and converting audio
and images (`audio`, `images`), attaching them to entries (`recordings`, `pictures`) and
sweeping files no row refers to (`sweep`)."""

from lexicon.media.recordings import (
    ExampleNotFound,
    MediaLimits,
    MediaNotFound,
    Served,
    add_example_audio,
    add_pronunciation_audio,
    audio_media,
    can_view_media,
    derivative_key,
    media_to_serve,
    original_key,
    spool,
)

__all__ = [
    "ExampleNotFound",
    "MediaLimits",
    "MediaNotFound",
    "Served",
    "add_example_audio",
    "add_pronunciation_audio",
    "audio_media",
    "can_view_media",
    "derivative_key",
    "media_to_serve",
    "original_key",
    "spool",
]
