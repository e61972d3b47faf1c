"""ksm-site: scores KOTAKU community self-help groups (KSM) and publishes a static site."""

__version__ = "0.1.0"
