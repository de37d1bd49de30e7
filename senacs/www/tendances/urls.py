app_name = "tendances"

urlpatterns: list = []
