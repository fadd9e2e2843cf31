"""QR codes on pages (a pass, an order, a parking stay's pay link)."""

import segno


def qr_svg(data: str) -> str:
    """A QR code as inline SVG (no image request, no JavaScript). With a viewBox and no fixed
    size it scales to the width the stylesheet gives it (`.qr svg`): a fixed 340 px was cut off
    on phones narrower than 430 px and could not be scanned. The white background keeps the quiet
    zone light in any theme."""
    return segno.make(data, error="m").svg_inline(scale=4, border=2, omitsize=True, light="#fff")
