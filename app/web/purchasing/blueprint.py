"""The purchasing pages' blueprint, apart from its routes so the route modules need not import the package."""

from flask import Blueprint

bp = Blueprint("purchasing", __name__, url_prefix="/purchasing")
