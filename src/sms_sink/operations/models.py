"""Pydantic models of operation definitions, discriminated by ``type``.

Field names, types and defaults follow Roboflow's
``query_language/entities/operations.py`` so a JSON chain written for a workflow
validates (and coerces) the same way here. Unknown extra keys are ignored, as there.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, TypeAdapter, field_validator

from .enums import (
    ClassificationProperty,
    DetectionsProperty,
    DetectionsSelectionMode,
    DetectionsSortProperties,
    FrameMetadataProperty,
    ImageProperty,
    NumberCastingMode,
    SequenceAggregationFunction,
    SequenceAggregationMode,
    StatementsGroupsOperator,
)

__all__ = [
    "BINARY_COMPARATORS",
    "DEFAULT_OPERAND_NAME",
    "OPERATION_ADAPTER",
    "OPERATION_MODELS",
    "UNARY_OPERATORS",
    "BinaryStatement",
    "DynamicOperand",
    "Operation",
    "StatementGroup",
    "StaticOperand",
    "UnaryStatement",
]

DEFAULT_OPERAND_NAME = "_"

BINARY_COMPARATORS = (
    "==", "(Number) ==", "!=", "(Number) !=", "(Number) >", "(Number) >=",
    "(Number) <", "(Number) <=", "(Number) in range", "(String) startsWith",
    "(String) endsWith", "(String) contains", "in (Sequence)", "any in (Sequence)",
    "all in (Sequence)", "(Detection) in zone",
)  # fmt: skip
UNARY_OPERATORS = (
    "Exists", "DoesNotExist", "(Boolean) is True", "(Boolean) is False",
    "(Sequence) is empty", "(Sequence) is not empty",
)  # fmt: skip


class Operation(BaseModel):
    """Base of every operation definition."""

    type: str


class StringToLowerCase(Operation):
    type: Literal["StringToLowerCase"]


class StringToUpperCase(Operation):
    type: Literal["StringToUpperCase"]


class LookupTable(Operation):
    type: Literal["LookupTable"]
    lookup_table: dict


class ToNumber(Operation):
    type: Literal["ToNumber"]
    cast_to: NumberCastingMode


class NumberRound(Operation):
    type: Literal["NumberRound"]
    decimal_digits: int


class SequenceMap(Operation):
    type: Literal["SequenceMap"]
    lookup_table: dict


class NumericSequenceAggregate(Operation):
    type: Literal["NumericSequenceAggregate"]
    function: SequenceAggregationFunction
    neutral_value: Any = None


class SequenceAggregate(Operation):
    type: Literal["SequenceAggregate"]
    mode: SequenceAggregationMode


class ToString(Operation):
    type: Literal["ToString"]


class ToBoolean(Operation):
    type: Literal["ToBoolean"]


class StringSubSequence(Operation):
    type: Literal["StringSubSequence"]
    start: int = 0
    end: int = -1


class DetectionsPropertyExtract(Operation):
    type: Literal["DetectionsPropertyExtract"]
    property_name: DetectionsProperty


class DetectionsToDictionary(Operation):
    type: Literal["DetectionsToDictionary"]


class ClassificationPropertyExtract(Operation):
    type: Literal["ClassificationPropertyExtract"]
    property_name: ClassificationProperty


class DetectionsSelection(Operation):
    type: Literal["DetectionsSelection"]
    mode: DetectionsSelectionMode


class ExtractDetectionProperty(Operation):
    type: Literal["ExtractDetectionProperty"]
    property_name: DetectionsProperty


class DetectionsFilter(Operation):
    type: Literal["DetectionsFilter"]
    filter_operation: StatementGroup


class SortDetections(Operation):
    type: Literal["SortDetections"]
    mode: DetectionsSortProperties
    ascending: bool = True


class DetectionsOffset(Operation):
    type: Literal["DetectionsOffset"]
    offset_x: int
    offset_y: int


class DetectionsShift(Operation):
    type: Literal["DetectionsShift"]
    shift_x: int
    shift_y: int


class RandomNumber(Operation):
    type: Literal["RandomNumber"]
    min_value: float = 0.0
    max_value: float = 1.0


class ExtractImageProperty(Operation):
    type: Literal["ExtractImageProperty"]
    property_name: ImageProperty


class ExtractFrameMetadata(Operation):
    type: Literal["ExtractFrameMetadata"]
    property_name: FrameMetadataProperty


class TimestampToISOFormat(Operation):
    type: Literal["TimestampToISOFormat"]


class ConvertImageToJPEG(Operation):
    type: Literal["ConvertImageToJPEG"]
    compression_level: int = Field(default=95, ge=1, le=100)


class ConvertDictionaryToJSON(Operation):
    type: Literal["ConvertDictionaryToJSON"]


class ConvertImageToBase64(Operation):
    type: Literal["ConvertImageToBase64"]


class StringMatches(Operation):
    type: Literal["StringMatches"]
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        """Fail at configuration time, not on the first frame (the reference fails late)."""
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return regex


class SequenceLength(Operation):
    type: Literal["SequenceLength"]


class SequenceElementsCount(Operation):
    type: Literal["SequenceElementsCount"]


class SequenceJoin(Operation):
    type: Literal["SequenceJoin"]
    separator: str = ", "


class SequenceApply(Operation):
    type: Literal["SequenceApply"]
    operations: list[AnyOperation]


class Multiply(Operation):
    type: Literal["Multiply"]
    other: int | float


class Divide(Operation):
    type: Literal["Divide"]
    other: int | float


class DetectionsRename(Operation):
    type: Literal["DetectionsRename"]
    class_map: dict[str, str] | str
    strict: bool | str = True
    new_classes_id_offset: int = 1024


class PickDetectionsByParentClass(Operation):
    type: Literal["PickDetectionsByParentClass"]
    parent_class: str


OPERATION_MODELS: tuple[type[Operation], ...] = (
    StringToLowerCase, StringToUpperCase, LookupTable, ToNumber, NumberRound,
    SequenceMap, SequenceApply, NumericSequenceAggregate, ToString, ToBoolean,
    StringSubSequence, DetectionsPropertyExtract, SequenceAggregate,
    ExtractDetectionProperty, DetectionsFilter, DetectionsOffset, DetectionsShift,
    DetectionsRename, RandomNumber, StringMatches, ExtractImageProperty,
    ExtractFrameMetadata, SequenceLength, SequenceElementsCount, SequenceJoin,
    Multiply, Divide, DetectionsSelection, SortDetections,
    ClassificationPropertyExtract, ConvertImageToJPEG, ConvertImageToBase64,
    DetectionsToDictionary, ConvertDictionaryToJSON, PickDetectionsByParentClass,
    TimestampToISOFormat,
)  # fmt: skip

AnyOperation = Annotated[Union[OPERATION_MODELS], Field(discriminator="type")]  # noqa: UP007


class StaticOperand(BaseModel):
    type: Literal["StaticOperand"]
    value: Any
    operations: list[AnyOperation] = Field(default_factory=list)


class DynamicOperand(BaseModel):
    type: Literal["DynamicOperand"]
    operations: list[AnyOperation] = Field(default_factory=list)
    operand_name: str = DEFAULT_OPERAND_NAME


Operand = Annotated[StaticOperand | DynamicOperand, Field(discriminator="type")]


class Comparator(BaseModel):
    type: Literal[BINARY_COMPARATORS]  # type: ignore[valid-type]


class UnaryOperator(BaseModel):
    type: Literal[UNARY_OPERATORS]  # type: ignore[valid-type]


class BinaryStatement(BaseModel):
    type: Literal["BinaryStatement"]
    left_operand: Operand
    comparator: Comparator
    right_operand: Operand
    negate: bool = False


class UnaryStatement(BaseModel):
    type: Literal["UnaryStatement"]
    operand: Operand
    operator: UnaryOperator
    negate: bool = False


class StatementGroup(BaseModel):
    type: Literal["StatementGroup"]
    statements: list[
        Annotated[
            BinaryStatement | UnaryStatement | StatementGroup,
            Field(discriminator="type"),
        ]
    ] = Field(min_length=1)
    operator: StatementsGroupsOperator = StatementsGroupsOperator.OR


for _model in (*OPERATION_MODELS, StaticOperand, DynamicOperand, StatementGroup):
    _model.model_rebuild()

OPERATION_ADAPTER: TypeAdapter[Operation] = TypeAdapter(AnyOperation)
