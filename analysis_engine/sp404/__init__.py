"""SP-404MK2 file formats: conversion, names, WAV/AIFF, MIDI, native project and packs."""

from analysis_engine.sp404.archive import PackReport
from analysis_engine.sp404.convert import (
    MAX_SECONDS,
    TARGET_RATE,
    ConvertedAudio,
    ConvertOptions,
    convert_audio,
    decode_audio,
)
from analysis_engine.sp404.device import (
    DeviceFileError,
    DevicePad,
    DeviceProject,
    DeviceSample,
    read_padconf,
    read_smp,
)
from analysis_engine.sp404.errors import (
    ClipTooLongError,
    HeaderCheckError,
    Sp404FormatError,
    UnsupportedAudioError,
)
from analysis_engine.sp404.layout import (
    MAX_BPM,
    MIN_BPM,
    PadSettings,
    ProjectSettings,
    bank_index,
    bank_letter,
    pad_from_index,
    pad_index,
)
from analysis_engine.sp404.midi import bank_midi
from analysis_engine.sp404.names import FolderNames, clean_name, pad_sample_name, project_name
from analysis_engine.sp404.native import write_native_project
from analysis_engine.sp404.organise import write_sample_export
from analysis_engine.sp404.pack import write_import_pack
from analysis_engine.sp404.padconf import PadSample, build_padconf
from analysis_engine.sp404.smp import write_smp
from analysis_engine.sp404.sources import KitSample, LibrarySample, SampleInfo
from analysis_engine.sp404.wav import check_aiff_header, check_wav_header, write_aiff, write_wav

__all__ = [
    "MAX_BPM",
    "MAX_SECONDS",
    "MIN_BPM",
    "TARGET_RATE",
    "ClipTooLongError",
    "ConvertOptions",
    "ConvertedAudio",
    "DeviceFileError",
    "DevicePad",
    "DeviceProject",
    "DeviceSample",
    "FolderNames",
    "HeaderCheckError",
    "KitSample",
    "LibrarySample",
    "PackReport",
    "PadSample",
    "PadSettings",
    "ProjectSettings",
    "SampleInfo",
    "Sp404FormatError",
    "UnsupportedAudioError",
    "bank_index",
    "bank_letter",
    "bank_midi",
    "build_padconf",
    "check_aiff_header",
    "check_wav_header",
    "clean_name",
    "convert_audio",
    "decode_audio",
    "pad_from_index",
    "pad_index",
    "pad_sample_name",
    "project_name",
    "read_padconf",
    "read_smp",
    "write_aiff",
    "write_import_pack",
    "write_native_project",
    "write_sample_export",
    "write_smp",
    "write_wav",
]
