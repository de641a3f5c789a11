"""Models for the filter tests: a document of every supported field kind, nullable
where NULL has a meaning (the attribute's zero value), with tags in a related table."""

from django.db import models


class Org(models.Model):
    slug = models.CharField(max_length=200, unique=True)

    class Meta:
        app_label = "filterapp"


class Doc(models.Model):
    slug = models.CharField(max_length=200, unique=True)
    org = models.ForeignKey(Org, null=True, on_delete=models.SET_NULL, related_name="docs")
    owner = models.CharField(max_length=200, null=True)
    title = models.TextField()
    path = models.CharField(max_length=200)
    level = models.BigIntegerField()
    score = models.FloatField(null=True)
    created = models.DateTimeField(null=True)
    public = models.BooleanField(default=False)

    class Meta:
        app_label = "filterapp"


class DocTag(models.Model):
    doc = models.ForeignKey(Doc, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=200, null=True)

    class Meta:
        app_label = "filterapp"


FIELDS = {
    "id": "slug",
    "org": "org__slug",
    "owner": "owner",
    "title": "title",
    "path": "path",
    "level": "level",
    "score": "score",
    "created": "created",
    "public": "public",
    "tags": "tags__name",
}
