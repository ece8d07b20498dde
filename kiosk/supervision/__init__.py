"""Supervision after the fair (督办, DESIGN.md): the three colours of an open ledger item, derived
from dates (`colours`); supervision notices to departments and their replies (`models`, `notices`,
`notice_views`); parked items with their causes (`parking`); the common-bottleneck analysis
(`analysis`, `analysis_views`); the handover lists and their receipts (`handover`,
`handover_views`). Its pages are one blueprint under /supervision."""
from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
