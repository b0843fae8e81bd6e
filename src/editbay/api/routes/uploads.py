"""(being written by the execution engineer)"""

from fastapi import APIRouter

router = APIRouter()
