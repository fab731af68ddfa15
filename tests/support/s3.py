"""A real S3 API for tests (moto in server mode), a bucket on it, and an engine pointed at it."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import botocore.session
from moto.server import ThreadedMotoServer

from tests.support.ports import free_port

REGION = "us-east-1"


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1; yields its URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextmanager
def moto_bucket(bucket: str, keys: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
    """A moto server holding `bucket`; yields its URL and a botocore client with `keys`."""
    with moto_server() as url:
        client = botocore.session.get_session().create_client(
            "s3", endpoint_url=url, region_name=REGION, **keys
        )
        client.create_bucket(Bucket=bucket)
        yield url, client


def engine_s3_env(endpoint: str, bucket: str, keys: Mapping[str, str]) -> dict[str, str]:
    """The environment that points an engine process at `bucket` on `endpoint`."""
    return {
        "SP404_BLOB_STORE": "s3",
        "SP404_S3_ENDPOINT_URL": endpoint,
        "SP404_S3_BUCKET": bucket,
        "SP404_S3_REGION": REGION,
        "SP404_S3_ACCESS_KEY_ID": keys["aws_access_key_id"],
        "SP404_S3_SECRET_ACCESS_KEY": keys["aws_secret_access_key"],
    }
