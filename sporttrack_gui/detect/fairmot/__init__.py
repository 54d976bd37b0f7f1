"""FairMOT (Zhang et al., IJCV 2021): one CPU-sized network for detection and identity.

``model``: the network, its losses and decoding; ``data``: training samples from project
runs; ``train``: the headless training loop; ``detector``: the ``fairmot:`` detector
whose ``Detections`` carry the identity embedding in ``feat``.
"""
