"""Inbound metrics: incoming documents received through the axis and handled on the
software (acknowledged the same day, registered, assigned, refused)."""

from __future__ import annotations

from metrics.scope import (
    ACKNOWLEDGED,
    ASSIGNED,
    REFUSED,
    REGISTERED,
    DocumentMetric,
    every_document,
    reported,
    through_axis,
)

AXIS_INCOMING = "incoming documents received through the axis"

INBOUND = (
    DocumentMetric(
        "inbound.received_axis",
        "in",
        every_document,
        through_axis,
        "incoming documents",
        "not received through the interconnection axis",
    ),
    DocumentMetric(
        "inbound.acknowledged_same_day",
        "in",
        through_axis,
        reported(ACKNOWLEDGED, same_day=True),
        AXIS_INCOMING,
        "no status 01 or 03 sent back on the day it arrived",
    ),
    DocumentMetric(
        "inbound.registered",
        "in",
        through_axis,
        reported(REGISTERED),
        AXIS_INCOMING,
        "never registered (no status 03 sent back)",
    ),
    DocumentMetric(
        "inbound.assigned",
        "in",
        through_axis,
        reported(ASSIGNED),
        AXIS_INCOMING,
        "never assigned for handling (no status 04, 05 or 06 sent back)",
    ),
    DocumentMetric(
        "inbound.refused",
        "in",
        through_axis,
        reported(REFUSED),
        AXIS_INCOMING,
        "not refused",
    ),
)
