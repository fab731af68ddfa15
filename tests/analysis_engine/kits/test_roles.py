"""Pad roles from analysis figures alone (no words): which pads an unnamed sound suits."""

from __future__ import annotations

from analysis_engine.kits.roles import Sound, role_score


def test_a_bright_drum_loop_is_no_texture_but_a_crash_still_is() -> None:
    # Found by using the product: "build a kit for me" put an unnamed trap loop on a texture
    # pad, as a one-shot, because its hats made it bright.
    trap_loop = Sound(
        words=frozenset(), is_loop=True, duration_s=8.0, centroid_hz=7200.0, percussive_share=0.85
    )
    assert role_score("texture", trap_loop) == 0.0
    assert role_score("loop", trap_loop) > 0.0
    crash = Sound(
        words=frozenset(), is_loop=False, duration_s=2.5, centroid_hz=8000.0, percussive_share=0.7
    )
    assert role_score("texture", crash) > 0.0
    pad_loop = Sound(
        words=frozenset(), is_loop=True, duration_s=8.0, centroid_hz=1500.0, percussive_share=0.2
    )
    assert role_score("texture", pad_loop) > 0.0
