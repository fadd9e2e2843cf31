from linli.dashboards.models.figures import DailyFigure
from linli.dashboards.models.maps import MapPin, PinKind, SitePlan, StreetPin
from linli.dashboards.models.reports import MonthlyReport
from linli.dashboards.models.screens import ScreenToken
from linli.dashboards.models.sharing import SharingCall, SharingToken

__all__ = ["DailyFigure", "MapPin", "PinKind", "ScreenToken", "SitePlan", "StreetPin"]
__all__ += ["MonthlyReport", "SharingCall", "SharingToken"]  # reports (DASH-3), data sharing (SEC-4)
