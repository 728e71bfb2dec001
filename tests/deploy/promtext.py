"""Reading a /metrics answer the way Prometheus does (prometheus_client's own parser)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def parse(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def scrape(client) -> dict:
    response = client.get("/metrics", environ_base=LOOPBACK)
    assert response.status_code == 200, response.data[:300]
    return parse(response.get_data(as_text=True))


def value(families: dict, sample_name: str, **labels) -> float | None:
    """The value of one sample, or None when the app exported no such sample."""
    for family in families.values():
        for sample in family.samples:
            if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def total(families: dict, sample_name: str, **labels) -> float:
    """Sum over every sample of that name whose labels include `labels`."""
    return sum(
        sample.value
        for family in families.values()
        for sample in family.samples
        if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def exported_names(families: dict) -> set[str]:
    """Every series name a PromQL query could select: sample names plus each family's
    own suffixed names (a family declared without samples still counts as exported)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}
    names = set()
    for family in families.values():
        names.add(family.name)
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
        names.update(sample.name for sample in family.samples)
    return names
