"""Pure numpy building blocks: box arrays, IoU, Kalman filters, assignment, geometry.

Nothing here knows about files, Qt or models.
"""
