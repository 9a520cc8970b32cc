"""Tools for rule authors: `statguard init` infers a first pack from sample files (infer.py)."""

from statguard.authoring.infer import InitResult, infer_pack

__all__ = ["InitResult", "infer_pack"]
