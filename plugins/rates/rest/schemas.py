"""The JSON bodies of the rates API, as pydantic models: its contract in /api/openapi.json
(erp.openapi) and what the contract test (schemathesis) checks every answer against."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from erp.openapi import security_scheme
from plugins.rates.services.ami import MAX_BATCH as MAX_READINGS

AMI_DEVICE = security_scheme("amiDevice", "A smart-meter device's token (`flask rates ami-device NAME`).")
BANK_GATEWAY = security_scheme("bankGateway", "A bank gateway's token (`flask rates payment-gateway NAME`).")

Number = float | str  # a JSON number, or its text (read as a decimal)


class QuoteReduction(BaseModel):
    code: str
    previous_average: Number | None = Field(None, description="㎥: the previous 3 periods' average (leak reduction)")


class QuoteRequest(BaseModel):
    """What a bill would be for this use and period."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"use_type": "household", "diameter": 13, "consumption": 21, "period_start": "2026-11-01", "period_end": "2026-11-30"},
        {"use_type": "general", "diameter": 20, "consumption": 250, "period_start": "2026-10-01", "period_end": "2026-11-30",
         "households": 2, "mixed": True, "reductions": [{"code": "LEAK", "previous_average": 20}], "water_use_rate": "170",
         "move_out": "2026-11-15", "sewer": False},
    ]})

    use_type: str = Field(description="The use type's code, e.g. household")
    diameter: int = Field(description="The meter's diameter in mm")
    consumption: int = Field(description="㎥ in the period")
    period_start: date
    period_end: date
    households: int = 1
    mixed: bool = False
    reductions: list[QuoteReduction] = Field(default_factory=list, max_length=5)
    water_use_rate: Number | None = Field(None, description="won per ㎥ of the water use charge, when not the tariff's")
    move_out: date | None = None
    sewer: bool = True


class QuoteLine(BaseModel):
    code: str
    label: str
    amount: int = Field(description="won")
    detail: str


class QuotePart(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    consumption: str = Field(description="㎥ of the part, to two decimals")


class Quote(BaseModel):
    lines: list[QuoteLine]
    total: int = Field(description="won")
    days: int
    parts: list[QuotePart]


class Reading(BaseModel):
    meter: str
    read_on: date
    value: int


class ReadingBatch(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"readings": [{"meter": "HB2020-00001", "read_on": "2026-11-20", "value": 1234}]}]})

    readings: list[Reading] = Field(min_length=1, max_length=MAX_READINGS)


class ReadingOutcome(BaseModel):
    index: int
    accepted: bool
    reason: str
    use: int | None


class ReadingsReceived(BaseModel):
    accepted: int
    refused: int
    results: list[ReadingOutcome]
    recorded: bool = Field(True, description="false: a reading was refused and nothing of the batch was recorded")
    replayed: bool = Field(False, description="true: the answer to an earlier batch with the same Idempotency-Key")


class Payment(BaseModel):
    """One payment line, the fields of a file's data record."""

    channel: str = Field(description="VA, GIRO, CMS, CARD or COUNTER")
    txn_id: str
    received_on: str = Field(description="YYYY-MM-DD")
    transferred_on: str = ""
    bank_code: str = ""
    branch_code: str = ""
    giro_no: str = ""
    reference: str = Field(description="The e-payment number, virtual account or bill number")
    amount: int = Field(description="won")
    payer: str = ""


class PaymentBatch(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"payments": [{"channel": "VA", "txn_id": "T0001", "received_on": "2026-11-20", "bank_code": "011",
                       "reference": "56211010000001", "amount": 21330, "payer": "김일번"}]}]})

    payments: list[Payment] = Field(min_length=1, max_length=10_000)


class PaymentsImported(BaseModel):
    lines: int
    new: int
    known: int
    matched: int
    suspense: int
    amount: int
    refused: int
    errors: list[str]
