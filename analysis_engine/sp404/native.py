"""A native SP-404MK2 project folder (beta): PADCONF.BIN plus SMPL/*.SMP.

Built from public reverse-engineering of firmware 5.01 files and not yet
verified on hardware; the README inside the folder says so to the user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from analysis_engine.sp404.archive import DateTime, PackReport, PackWriter
from analysis_engine.sp404.convert import ConvertOptions, convert_audio
from analysis_engine.sp404.layout import ProjectSettings, bank_index
from analysis_engine.sp404.names import clean_name, project_name
from analysis_engine.sp404.padconf import PadSample, build_padconf
from analysis_engine.sp404.smp import smp_name, write_smp
from analysis_engine.sp404.sources import KitSample

README_NAME = "README-BETA.txt"
README_TEXT = """\
SP-404MK2 native project (BETA)

This folder was written by SP-404 Sample Cloud from public reverse-engineering
of SP-404MK2 firmware 5.01 project files. It is BETA and UNVERIFIED ON HARDWARE:
back up your SD card before copying it, and if the sampler does not load it,
use the IMPORT kit pack instead, which uses the sampler's own import.

Contents: PADCONF.BIN (pad settings) and SMPL/BANK<1-10>-<01-16>.SMP
(16-bit 48 kHz audio, bank A = 1 ... J = 10).
"""


def write_native_project(
    target: IO[bytes],
    project: ProjectSettings,
    samples: Iterable[KitSample],
    *,
    options: ConvertOptions | None = None,
    date_time: DateTime | None = None,
) -> PackReport:
    """Write `<PROJECT>/PADCONF.BIN`, its `.SMP` files and a beta README into a zip."""
    folder = project_name(project.name)
    pads: list[PadSample] = []
    used: set[int] = set()
    with PackWriter(target, date_time=date_time) as pack:
        pack.add_text((folder, README_NAME), README_TEXT)
        for sample in samples:
            if sample.pad.index in used:
                raise ValueError(f"pad {sample.pad.label} is assigned twice")
            used.add(sample.pad.index)
            converted = convert_audio(sample.audio, sample.sample_rate, options)
            file_name = smp_name(bank_index(sample.pad.bank) + 1, sample.pad.pad)
            with pack.add_stream((folder, "SMPL", file_name), compress=False) as stream:
                write_smp(stream, converted.pcm)
            pack.report.note(f"{folder}/SMPL/{file_name}", converted)
            pads.append(
                PadSample(
                    settings=sample.pad,
                    name=clean_name(sample.name),
                    frames=converted.frames,
                    channels=converted.channels,
                )
            )
        # PADCONF needs every sample's size, so it goes last.
        pack.add_bytes((folder, "PADCONF.BIN"), build_padconf(project, pads))
    return pack.report
