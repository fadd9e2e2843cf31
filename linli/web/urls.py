from django.urls import path

from linli.web import views

urlpatterns = [path("", views.home, name="home")]
