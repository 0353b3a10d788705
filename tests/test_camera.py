"""The camera button is offered in the phone app only: a browser's Flet client has no
camera control (a phone's browser offers its camera in the file picker instead)."""

from __future__ import annotations

from types import SimpleNamespace

import flet as ft
import flet_camera as fc
import pytest

from app.views.widgets import has_camera


@pytest.mark.parametrize(
    ("web", "platform", "expected"),
    [
        (False, ft.PagePlatform.ANDROID, True),
        (False, ft.PagePlatform.IOS, True),
        (True, ft.PagePlatform.ANDROID, False),  # a phone's browser
        (True, ft.PagePlatform.LINUX, False),
        (False, ft.PagePlatform.WINDOWS, False),
        (False, None, False),
    ],
)
def test_the_camera_is_offered_in_the_phone_app_only(web, platform, expected):
    assert has_camera(SimpleNamespace(web=web, platform=platform)) is expected


def test_the_camera_package_offers_what_the_picker_uses():
    camera = fc.Camera(expand=True)
    for method in ("get_available_cameras", "initialize", "take_picture"):
        assert callable(getattr(camera, method))
    assert fc.ResolutionPreset.HIGH and fc.CameraLensDirection.BACK
