from linli.dashboards.models.figures import DailyFigure
from linli.dashboards.models.maps import MapPin, PinKind, SitePlan, StreetPin
from linli.dashboards.models.screens import ScreenToken

__all__ = ["DailyFigure", "MapPin", "PinKind", "ScreenToken", "SitePlan", "StreetPin"]
