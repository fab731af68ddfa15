"""A native SP-404MK2 project (beta), laid out as the device exports one:

    EXPORT/PROJECT/P01_<NAME>/PADCONF.BIN          pad settings, names and tempos
    EXPORT/PROJECT/P01_<NAME>/SMPL/BANKn-NN.SMP    16-bit 48 kHz audio, bank A = 1 ... J = 10
    EXPORT/PROJECT/P01_<NAME>/PTN/                 patterns (none written)
    EXPORT/PROJECT/P01_<NAME>/PICTURE/             screen images (none written)
    README-PROJECT-BETA.txt                        how to load it, and that it is beta

The files agree with device-written ones wherever they hold no user data (see offsets.py and
the tests); no device has loaded one yet, so the archive says it is beta.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from analysis_engine.sp404 import offsets as o
from analysis_engine.sp404.archive import DateTime, PackReport, PackWriter
from analysis_engine.sp404.convert import ConvertOptions, convert_audio
from analysis_engine.sp404.layout import ProjectSettings, bank_index
from analysis_engine.sp404.names import clean_name, project_name
from analysis_engine.sp404.padconf import PadSample, build_padconf, confirmed_mute_group
from analysis_engine.sp404.smp import smp_name, write_smp
from analysis_engine.sp404.sources import KitSample

EXPORT_ROOT = ("EXPORT", "PROJECT")
# The device names an exported project folder after its slot; the slot a user imports into is
# chosen on the device, so 01 is as good as any.
PROJECT_SLOT = 1
README_NAME = "README-PROJECT-BETA.txt"
README_TEXT = """\
SP-404MK2 project {name} (BETA)

Written by SP-404 Sample Cloud in the layout an SP-404MK2 uses when it exports
a project:

  {folder}/PADCONF.BIN              pad settings, names, tempos
  {folder}/SMPL/BANKn-NN.SMP        16-bit 48 kHz audio (bank A = 1 ... J = 10)
  {folder}/PTN/                     patterns (none)
  {folder}/PICTURE/                 screen images (none)

How to load it
1. Back up your SD card first (or export the project you are about to replace).
2. Copy the EXPORT folder of this ZIP to the root of the SD card; if the card
   already has an EXPORT folder, merge the two.
3. On the SP-404MK2 hold [SHIFT] and press pad [13] (UTILITY), choose PROJECT,
   then IMPORT, pick {project} and the project slot to import it into.
4. Select that project and play each pad.

BETA: every byte of these files that does not hold your sounds or settings
matches project files written by real SP-404MK2 units, but no device has
loaded one of our projects yet. If it does not load, use the IMPORT kit pack,
which goes through the sampler's own sample import.
{left_out}"""


def project_folder(name: str) -> str:
    """The project folder's name as the device writes it, e.g. 'P01_DUSTY_KIT'."""
    return f"P{PROJECT_SLOT:02d}_{project_name(name).replace(' ', '_')}"


def write_native_project(
    target: IO[bytes],
    project: ProjectSettings,
    samples: Iterable[KitSample],
    *,
    options: ConvertOptions | None = None,
    date_time: DateTime | None = None,
) -> PackReport:
    """Write the project folder, its `.SMP` files and a how-to-load README into a zip."""
    folder = project_folder(project.name)
    base = (*EXPORT_ROOT, folder)
    pads: list[PadSample] = []
    used: set[int] = set()
    with PackWriter(target, date_time=date_time) as pack:
        for sample in samples:
            if sample.pad.index in used:
                raise ValueError(f"pad {sample.pad.label} is assigned twice")
            used.add(sample.pad.index)
            converted = convert_audio(sample.audio, sample.sample_rate, options)
            file_name = smp_name(bank_index(sample.pad.bank) + 1, sample.pad.pad)
            with pack.add_stream((*base, "SMPL", file_name), compress=False) as stream:
                write_smp(stream, converted.pcm)
            pack.report.note("/".join((*base, "SMPL", file_name)), converted)
            if confirmed_mute_group(sample.pad.mute_group) != sample.pad.mute_group:
                pack.report.left_out.append(
                    f"{sample.pad.label}: mute group {sample.pad.mute_group} left off (device "
                    f"files confirm groups 1-{o.MAX_CONFIRMED_MUTE_GROUP} only)"
                )
            pads.append(
                PadSample(
                    settings=sample.pad,
                    name=sample.name,
                    frames=converted.frames,
                    channels=converted.channels,
                )
            )
        # PADCONF needs every sample's size, so it goes last.
        pack.add_bytes((*base, "PADCONF.BIN"), build_padconf(project, pads))
        pack.add_folder((*base, "PTN"))
        pack.add_folder((*base, "PICTURE"))
        notes = "".join(f"\nLeft out: {line}" for line in pack.report.left_out)
        pack.add_text(
            (README_NAME,),
            README_TEXT.format(
                name=clean_name(project.name, max_length=32, fallback="PROJECT"),
                folder="/".join(base),
                project=folder,
                left_out=notes + ("\n" if notes else ""),
            ),
        )
    return pack.report
