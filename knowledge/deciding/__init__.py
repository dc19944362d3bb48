"""Deciding: the verdict on a ranking, the service and fields to answer, the answer's text."""
