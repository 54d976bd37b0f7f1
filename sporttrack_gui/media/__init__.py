"""Video sources, the synthetic match generator, overlays and the demo-video writer.

Submodules are imported directly (``sporttrack_gui.media.synthetic``, ...) so that
importing the package stays cheap.
"""
