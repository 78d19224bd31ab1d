"""Factories and small builders for measure data: points, uploaded files, workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sharedpurpose.improvement.models import DataPoint
from tests.factories import MeasureFactory


class DataPointFactory(factory.django.DjangoModelFactory[DataPoint]):
    class Meta:
        model = DataPoint

    measure = factory.SubFactory(MeasureFactory)
    period = factory.Sequence(lambda n: f"{2020 + n // 12}-{n % 12 + 1:02d}-01")
    value = 10.0


def csv_upload(text: str, name: str = "data.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows: Sequence[Sequence[Any]], name: str = "data.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows))
