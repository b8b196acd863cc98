"""Enumerations of the query language, with the reference's member names and values.

Values are what users write in JSON (``"property_name": "class_name"``), so they must
match Roboflow's ``query_language/entities/enums.py`` exactly.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "ClassificationProperty",
    "DetectionsProperty",
    "DetectionsSelectionMode",
    "DetectionsSortProperties",
    "FrameMetadataProperty",
    "ImageProperty",
    "NumberCastingMode",
    "SequenceAggregationFunction",
    "SequenceAggregationMode",
    "StatementsGroupsOperator",
]


class NumberCastingMode(Enum):
    INT = "int"
    FLOAT = "float"


class SequenceAggregationFunction(Enum):
    MIN = "min"
    MAX = "max"
    SUM = "sum"


class SequenceAggregationMode(Enum):
    FIRST = "first"
    LAST = "last"
    MOST_COMMON = "most_common"
    LEAST_COMMON = "least_common"


class ClassificationProperty(Enum):
    TOP_CLASS = "top_class"
    TOP_CLASS_CONFIDENCE = "top_class_confidence"
    TOP_CLASS_CONFIDENCE_SINGLE = "top_class_confidence_single"
    ALL_CLASSES = "all_classes"
    ALL_CONFIDENCES = "all_confidences"


class DetectionsProperty(Enum):
    """Per-detection properties; values past ``BOTTOM_RIGHT`` name ``sv.Detections.data`` keys."""

    CONFIDENCE = "confidence"
    CLASS_NAME = "class_name"
    X_MIN = "x_min"
    X_MAX = "x_max"
    Y_MIN = "y_min"
    Y_MAX = "y_max"
    SIZE = "size"
    CLASS_ID = "class_id"
    CENTER = "center"
    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"
    IN_OUT = "in_out"
    PATH_DEVIATION = "path_deviation"
    POLYGON = "polygon"
    TIME_IN_ZONE = "time_in_zone"
    TRACKER_ID = "tracker_id"
    VELOCITY = "velocity"
    SPEED = "speed"
    SMOOTHED_VELOCITY = "smoothed_velocity"
    SMOOTHED_SPEED = "smoothed_speed"
    DIMENSIONS = "image_dimensions"
    PREDICTION_TYPE = "prediction_type"
    KEYPOINTS_XY = "keypoints_xy"
    BOUNDING_RECT = "rect"
    BOUNDING_RECT_WIDTH = "width"
    BOUNDING_RECT_HEIGHT = "height"
    BOUNDING_RECT_ANGLE = "angle"
    AREA = "area_px"
    AREA_CONVERTED = "area_converted"


class DetectionsSortProperties(Enum):
    CONFIDENCE = "confidence"
    X_MIN = "x_min"
    X_MAX = "x_max"
    Y_MIN = "y_min"
    Y_MAX = "y_max"
    SIZE = "size"
    CENTER_X = "center_x"
    CENTER_Y = "center_y"


class StatementsGroupsOperator(Enum):
    AND = "and"
    OR = "or"


class ImageProperty(Enum):
    SIZE = "size"
    HEIGHT = "height"
    WIDTH = "width"
    ASPECT_RATIO = "aspect_ratio"


class FrameMetadataProperty(Enum):
    FRAME_NUMBER = "frame_number"
    FRAME_TIMESTAMP = "frame_timestamp"
    SECONDS_SINCE_START = "seconds_since_start"


class DetectionsSelectionMode(Enum):
    LEFT_MOST = "left_most"
    RIGHT_MOST = "right_most"
    TOP_CONFIDENCE = "top_confidence"
    FIRST = "first"
    LAST = "last"
