"""Usul-sanggah: proposals and objections, their screening and the village-then-Dinsos steps."""
