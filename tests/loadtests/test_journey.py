"""The producer journey's pieces: weights, filters, clips, multipart bodies, addresses."""

from __future__ import annotations

import io
import random
import re

import soundfile

from loadtests.journey import (
    KEYS,
    SORTS,
    THINK_TIME_S,
    WEIGHTS,
    category,
    client_address,
    filter_params,
    multipart,
    wav_clip,
)


def test_browsing_the_library_is_the_most_frequent_step_and_uploads_are_rare() -> None:
    busiest = max(WEIGHTS, key=lambda step: WEIGHTS[step])
    assert busiest == "list_samples"
    assert WEIGHTS["upload"] * 10 < sum(WEIGHTS.values())


def test_think_time_is_three_to_five_seconds() -> None:
    assert THINK_TIME_S == (3.0, 5.0)


def test_filters_stay_inside_what_the_samples_route_accepts() -> None:
    rnd = random.Random(1)
    for _ in range(200):
        params = filter_params(rnd)
        assert params["sort"] in SORTS
        assert 1 <= int(params["limit"]) <= 200
        if "bpm_min" in params:
            assert 0 <= int(params["bpm_min"]) < int(params["bpm_max"]) <= 1000
        if "key" in params:
            assert params["key"] in KEYS


def test_an_uploaded_clip_is_a_real_half_second_wav() -> None:
    data, rate = soundfile.read(io.BytesIO(wav_clip(random.Random(2))))
    assert rate == 44100
    assert len(data) == 22050


def test_the_multipart_body_carries_the_audio_bytes_and_the_title() -> None:
    audio = wav_clip(random.Random(3))
    body, content_type = multipart(audio, "clip.wav", "my clip")
    boundary = re.fullmatch(r"multipart/form-data; boundary=(\w+)", content_type)
    assert boundary is not None
    assert audio in body
    assert b'name="title"\r\n\r\nmy clip\r\n' in body
    assert body.endswith(f"--{boundary.group(1)}--\r\n".encode())


def test_a_thousand_simulated_users_come_from_a_thousand_addresses() -> None:
    addresses = {client_address(n) for n in range(1000)}
    assert len(addresses) == 1000
    for address in addresses:
        octets = [int(part) for part in address.split(".")]
        assert octets[0] == 10 and all(0 <= o <= 255 for o in octets)


def test_request_names_say_which_figure_they_count_toward() -> None:
    assert category("read: list samples") == "read"
    assert category("upload: sample") == "upload"
    assert category("auth: login") == "auth"
