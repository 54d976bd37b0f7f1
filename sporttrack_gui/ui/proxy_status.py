"""The status bar's note on the background scrub-proxy build ("Scrub proxies 42 %").

Why a label of its own: the build runs for minutes on a long match after an import
(``ui.frame_loader``); the user should see that scrubbing is getting faster and when it
is done, without a dialog and without touching the window's other status fields.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def attach_proxy_status(window) -> QLabel:
    """A permanent status-bar label following ``window.loader``'s proxy build."""
    label = QLabel()
    label.setObjectName("proxyStatus")
    label.setToolTip("Small copies of the frames for instant scrubbing, built once per video "
                     "and kept in the app's cache folder")
    label.hide()
    window.statusBar().addPermanentWidget(label)

    def progress(done: int, total: int) -> None:
        label.setText(f"Scrub proxies {100 * done // max(1, total)} %")
        label.setVisible(done < total)

    window.loader.proxyProgress.connect(progress)
    window.loader.proxiesReady.connect(lambda _n: label.hide())
    return label
