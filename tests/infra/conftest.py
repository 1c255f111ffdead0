"""Fixtures for the template checks: template.yaml as SAM wrote it and as CloudFormation gets it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import boto3
import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    """template.yaml, parsed (short-form intrinsics become their long form)."""
    return yaml_parse(TEMPLATE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def cfn(sam_template: dict[str, Any]) -> dict[str, Any]:
    """The template after the SAM transform, offline (what CloudFormation would deploy)."""
    template = copy.deepcopy(sam_template)
    # `sam package` swaps local code paths for S3 locations before the transform; do the same.
    for res in template["Resources"].values():
        if res["Type"] == "AWS::Serverless::Function":
            res["Properties"]["CodeUri"] = "s3://artifacts/function.zip"
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name="eu-west-1"))
    return translator.translate(template, parameter_values={}, get_managed_policy_map=dict)


def evaluate_conditions(template: dict[str, Any], params: dict[str, str]) -> dict[str, bool]:
    """Every condition of the template for the given parameter values (others take defaults)."""
    values = {
        name: str(p.get("Default", "")) for name, p in (template.get("Parameters") or {}).items()
    }
    values.update(params)
    conditions = template.get("Conditions") or {}
    cache: dict[str, bool] = {}

    def value(node: Any) -> Any:
        if isinstance(node, dict) and "Ref" in node:
            return values[node["Ref"]]
        return node

    def truth(node: Any) -> bool:
        (fn, arg), *_ = node.items()
        if fn == "Fn::Equals":
            return value(arg[0]) == value(arg[1])
        if fn == "Fn::Not":
            return not truth(arg[0])
        if fn == "Fn::And":
            return all(truth(a) for a in arg)
        if fn == "Fn::Or":
            return any(truth(a) for a in arg)
        if fn == "Condition":
            return named(arg)
        raise AssertionError(f"condition function {fn} not handled")

    def named(name: str) -> bool:
        if name not in cache:
            cache[name] = truth(conditions[name])
        return cache[name]

    return {name: named(name) for name in conditions}


def resolve_ifs(node: Any, conditions: dict[str, bool]) -> Any:
    """`node` with every Fn::If replaced by its chosen branch and AWS::NoValue dropped."""
    no_value = object()

    def walk(n: Any) -> Any:
        if isinstance(n, dict):
            if set(n) == {"Fn::If"}:
                name, yes, no = n["Fn::If"]
                return walk(yes if conditions[name] else no)
            if n == {"Ref": "AWS::NoValue"}:
                return no_value
            out = {k: walk(v) for k, v in n.items()}
            return {k: v for k, v in out.items() if v is not no_value}
        if isinstance(n, list):
            return [v for v in (walk(x) for x in n) if v is not no_value]
        return n

    return walk(node)


@pytest.fixture(scope="session")
def stage_view(cfn: dict[str, Any]):
    """A function giving the transformed template as one stage would deploy it."""

    def view(stage: str, **params: str) -> dict[str, Any]:
        conditions = evaluate_conditions(cfn, {"Stage": stage, **params})
        resources = {
            logical_id: resolve_ifs(res, conditions)
            for logical_id, res in cfn["Resources"].items()
            if conditions.get(res.get("Condition", ""), True)
        }
        return {"Conditions": conditions, "Resources": resources}

    return view
