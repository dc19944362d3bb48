"""Catalogue domain: agencies, service clusters and service ID cards (شناسنامه خدمت)."""
