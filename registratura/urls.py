"""Officers' pages of the register; the project includes them under /registratura/."""

from django.urls import path

from registratura import views

app_name = "registratura"
urlpatterns = [
    path("", views.ListView.as_view(), name="list"),
    path("nou/", views.EntryCreateView.as_view(), name="create"),
    path("raport/", views.ReportView.as_view(), name="report"),
    path("<int:pk>/", views.DetailView.as_view(), name="detail"),
    path("<int:pk>/repartizare/", views.AssignView.as_view(), name="assign"),
    path("<int:pk>/clasare/", views.FileWithoutAnswerView.as_view(), name="file"),
    path("<int:pk>/raspuns/", views.AnswerView.as_view(), name="answer"),
    path("<int:pk>/fisier/", views.ScanView.as_view(), name="scan"),
    path("<int:pk>/dovada/", views.ReceiptView.as_view(), name="receipt"),
    path("<int:pk>/cheie-noua/", views.ResetKeyView.as_view(), name="reset_key"),
]
