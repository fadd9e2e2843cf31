"""How personal data looks on screen when the viewer may not see it in full."""


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "*" * len(phone)


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) <= 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def mask_plate(plate: str | None) -> str:
    if not plate:
        return ""
    return plate[:2] + "*" * max(len(plate) - 4, 1) + plate[-2:] if len(plate) > 4 else plate


def mask_openid(openid: str | None) -> str:
    """A WeChat openid (28 characters): enough to tell two apart, not enough to use one."""
    if not openid:
        return ""
    return openid[:4] + "****" + openid[-4:] if len(openid) > 8 else "*" * len(openid)
