"""Validates adapters/rest/openapi/openapi.json against the OpenAPI 3.0
schema with openapi-spec-validator; exits 77 (skipped) when it is not
installed."""
import json
import sys

try:
    from openapi_spec_validator import validate
except ImportError:
    print("openapi-spec-validator is not installed: skipped")
    sys.exit(77)

with open(sys.argv[1], encoding="utf-8") as f:
    validate(json.load(f))
print("openapi.json is a valid OpenAPI document")
