from linli.dashboards.models.figures import DailyFigure
from linli.dashboards.models.maps import MapPin, PinKind, SitePlan, StreetPin

__all__ = ["DailyFigure"]
__all__ += ["MapPin", "PinKind", "SitePlan", "StreetPin"]
