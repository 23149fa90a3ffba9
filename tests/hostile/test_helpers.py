"""The shared helpers do what the hostile tests rely on."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.hostile.conftest import TIMEOUT, fifo


def test_every_test_here_has_a_timeout(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("timeout")
    assert marker is not None and marker.args == (TIMEOUT,)


def test_full_disk_fails_writes_with_enospc(full_disk: None, tmp_path: Path) -> None:
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        with pytest.raises(OSError) as caught:
            os.write(fd, b"x")
        assert caught.value.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_fifo_is_a_named_pipe(tmp_path: Path) -> None:
    import stat

    assert stat.S_ISFIFO(fifo(tmp_path / "p").stat().st_mode)
