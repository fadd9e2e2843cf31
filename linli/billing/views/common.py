"""What the billing screens of every area share."""

import segno


def qr_svg(data: str) -> str:
    """A QR code as inline SVG that scales to the width `.qr svg` gives it (a viewBox and no fixed
    size, as access's pass QR: a fixed size was cut off on narrow phones), on a white quiet zone."""
    return segno.make(data, error="m").svg_inline(scale=4, border=2, omitsize=True, light="#fff")
