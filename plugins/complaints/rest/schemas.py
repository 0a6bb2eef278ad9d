"""The JSON bodies of Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) as this service
answers them: its contract in /api/openapi.json, checked by the contract test."""
from __future__ import annotations

from pydantic import BaseModel, Field, RootModel

from erp.openapi import Answer


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str = Field(description="realtime, batch or blackbox")
    keywords: str
    group: str


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[dict]


class ServiceRequest(BaseModel):
    """A request as Open311 clients follow it: its status and dates, never the citizen's data."""

    service_request_id: str
    status: str = Field(description="open or closed")
    status_notes: str
    service_name: str
    service_code: str
    agency_responsible: str
    service_notice: str
    requested_datetime: str | None
    updated_datetime: str | None
    expected_datetime: str | None


class RequestCreated(BaseModel):
    service_request_id: str
    service_notice: str
    account_id: str | None


class Open311Error(BaseModel):
    code: int
    description: str


Services = RootModel[list[Service]]
ServiceRequests = RootModel[list[ServiceRequest]]
Created = RootModel[list[RequestCreated]]
Errors = RootModel[list[Open311Error]]


def refusal(description: str) -> Answer:
    """An Open311 refusal: a list of {code, description}."""
    return Answer(description, Errors)
