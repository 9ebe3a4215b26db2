from django.contrib import admin

from leads.models import Activity, Company, IcpProfile, ImportBatch, Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "email",
        "company",
        "team",
        "owner",
        "status",
        "stage",
        "score",
        "grade",
        "created_at",
    ]
    list_filter = ["status", "stage", "grade", "source", "team"]
    search_fields = ["first_name", "last_name", "email", "company"]
    raw_id_fields = ["owner", "account", "import_batch"]
    readonly_fields = ["score", "grade", "score_explanation", "created_at", "updated_at"]
    list_select_related = ["team", "owner"]
    show_full_result_count = False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "industry", "employee_count", "country", "team"]
    search_fields = ["name", "domain"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "outcome", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["lead", "actor"]
    show_full_result_count = False


@admin.register(IcpProfile)
class IcpProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "is_active", "updated_at"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "team",
        "created_by",
        "status",
        "created",
        "updated",
        "duplicates",
        "failed",
        "created_at",
    ]
    list_filter = ["status", "dry_run"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
