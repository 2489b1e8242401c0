"""Small building blocks shared by every app's pages: scoped lists and record forms."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from brokerdesk.access.scope import get_for_user, has_perm


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ScopedListPage(LoginRequiredMixin, View):
    """A paginated, filtered list of what the user may see.

    The same template renders the whole page and, for htmx requests, only the results
    partial, so search-as-you-type swaps the table without reloading the page.
    """

    template_name = ""
    partial_name = ""
    filterset_class = None
    page_size = 25
    create_perm = ""

    def get_queryset(self):
        raise NotImplementedError

    def get(self, request):
        qs = self.get_queryset()
        filterset = self.filterset_class(request.GET or None, queryset=qs, request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
        page = Paginator(rows, self.page_size).get_page(request.GET.get("page"))
        context = {
            "filter": filterset,
            "page": page,
            "can_create": bool(self.create_perm) and has_perm(request.user, self.create_perm),
        }
        template = self.partial_name if request.htmx and self.partial_name else self.template_name
        return render(request, template, context)


class RecordFormPage(LoginRequiredMixin, View):
    """Create (no pk) or edit (pk) one record through its service.

    The record is fetched through the scope with the change permission, so a record of
    another branch answers 404; domain errors from the service come back as field errors.
    """

    model = None
    form_class = None
    perm = ""
    template_name = "core/record_form.html"
    title_create = ""
    title_edit = ""

    def get_object(self, pk):
        return get_for_user(self.request.user, self.model, pk, self.perm) if pk else None

    def get_form(self, obj, data=None, files=None):
        return self.form_class(data, files, instance=obj, user=self.request.user)

    def save(self, form):
        raise NotImplementedError

    def success_url(self, obj):
        return obj.get_absolute_url()

    def render_form(self, form, obj, status=200):
        title = self.title_edit if obj else self.title_create
        return render(
            self.request, self.template_name, {"form": form, "object": obj, "title": title}, status=status
        )

    def get(self, request, pk=None):
        if not has_perm(request.user, self.perm):
            raise Http404
        obj = self.get_object(pk)
        return self.render_form(self.get_form(obj), obj)

    def post(self, request, pk=None):
        if not has_perm(request.user, self.perm):
            raise Http404
        obj = self.get_object(pk)
        form = self.get_form(obj, request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = self.save(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, self.success_message(saved))
                return redirect(self.success_url(saved))
        return self.render_form(form, obj, status=400)

    def success_message(self, obj) -> str:
        from django.utils.translation import gettext as _

        return _("Saved: %(record)s") % {"record": obj}
