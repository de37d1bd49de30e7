app_name = "analyses"

urlpatterns: list = []
