from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def todo(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/todo.html")
