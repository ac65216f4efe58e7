"""The API of following: a user's own follows, notifications and webhook subscriptions.

Every endpoint needs an authenticated user and only ever shows that user's own records.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.fields import CharField, StrictTypesMixin, WebURLField
from core.api.views import APIViewMixin
from projects import selectors
from projects.following import services
from projects.following.models import (
    SEARCH_MAX_LENGTH,
    Event,
    Follow,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from projects.models import Organization


def _django_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A rule of the services (a draft, a filter that does not apply): a 422 naming the field."""
    return serializers.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else error.messages, code="rule"
    )


class SlugField(serializers.SlugRelatedField):
    """A record named by its slug; a text no slug can be (a NUL character) names none."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class FollowSerializer(StrictTypesMixin, serializers.ModelSerializer):
    project = SlugField(
        slug_field="slug",
        queryset=selectors.PUBLIC.projects(),
        required=False,
        allow_null=True,
        help_text=_("The slug of a published project to follow."),
    )
    organization = SlugField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The slug of an organization to follow: changes to its projects and its own claims."),
    )
    search = CharField(
        required=False,
        allow_blank=True,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("A search of the project list to follow, as its query string (status=construction&country=FR)."),
    )

    class Meta:
        model = Follow
        fields = ["id", "kind", "project", "organization", "search", "label", "created"]
        read_only_fields = ["id", "kind", "label", "created"]

    def validate(self, attrs):
        given = [name for name in ("project", "organization", "search") if self.initial_data.get(name) is not None]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give exactly one of project, organization or search.")]}, code="one_target"
            )
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        try:
            if validated_data.get("project") is not None:
                follow, _created = services.follow_project(user=user, project=validated_data["project"])
            elif validated_data.get("organization") is not None:
                follow, _created = services.follow_organization(user=user, organization=validated_data["organization"])
            else:
                follow, _created = services.follow_search(user=user, query=validated_data.get("search", ""))
        except DjangoValidationError as error:
            raise _django_errors(error) from error
        return follow


class NotificationSerializer(serializers.ModelSerializer):
    # a notification of a publication or a status change names no claim
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    claim = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    change = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    follow = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    data = serializers.DictField(read_only=True, help_text=_("What a webhook receives about the change."))

    class Meta:
        model = Notification
        fields = ["id", "event", "project", "claim", "change", "follow", "data", "is_read", "created"]
        read_only_fields = fields


class WebhookSerializer(StrictTypesMixin, serializers.ModelSerializer):
    url = WebURLField(max_length=1000, help_text=_("Where each change is POSTed: http(s), a public address."))
    secret = CharField(
        write_only=True,
        required=False,
        min_length=16,
        max_length=200,
        help_text=_("Signs each call; made for you (and shown once, in the answer to the creation) when not given."),
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), required=False, max_length=len(Event.choices)
    )
    follows = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Follow.objects.none())
    description = CharField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "secret", "events", "follows", "description", "active", "created"]
        read_only_fields = ["id", "created"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["follows"].child_relation.queryset = Follow.objects.filter(user=request.user)
        return fields

    def validate_url(self, value):
        try:
            services.check_target(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["url"], code="unreachable") from error
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        request = self.context.get("request")
        if self.instance is None and request is not None:
            limit = settings.WEBHOOKS_MAX_PER_USER
            if WebhookSubscription.objects.filter(owner=request.user).count() >= limit:
                raise serializers.ValidationError(
                    {
                        "url": _("You already have %(limit)s webhook subscriptions, the most one account may.")
                        % {"limit": limit}
                    },
                    code="limit",
                )
        return attrs

    def create(self, validated_data):
        follows = validated_data.pop("follows", [])
        validated_data.setdefault("secret", services.new_secret())
        subscription = WebhookSubscription.objects.create(owner=self.context["request"].user, **validated_data)
        subscription.follows.set(follows)
        subscription.new_secret = validated_data["secret"]
        return subscription

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if getattr(instance, "new_secret", None):
            data["secret"] = instance.new_secret
        return data


class CreatedWebhookSerializer(WebhookSerializer):
    """The answer to a creation: the only time the secret is shown."""

    secret = CharField(read_only=True)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "change",
            "payload",
            "attempts",
            "status_code",
            "error",
            "created",
            "last_attempt_at",
            "delivered_at",
        ]
        read_only_fields = fields


class MarkReadSerializer(StrictTypesMixin, serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text=_("The notifications to mark as read; without it, all of yours."),
    )


class OwnRecordsMixin(APIViewMixin):
    """Numbered pages only: these records have no last_updated for a cursor to follow."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = "[0-9]+"
    owner_field = "user"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.filter(**{self.owner_field: self.request.user})


@extend_schema_view(
    list=extend_schema(summary="The projects, organizations and searches you follow"),
    create=extend_schema(summary="Follow a project, an organization or a search (once: following again answers it)"),
    destroy=extend_schema(summary="Stop following"),
)
class FollowViewSet(
    OwnRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """What you follow: published projects, organizations and searches of the project list. Their
    changes (a claim accepted, a status changed, a project published) become your notifications."""

    queryset = Follow.objects.select_related("project", "organization")
    serializer_class = FollowSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Changes to what you follow, newest first",
        parameters=[
            OpenApiParameter("unread", bool, description="true: only the notifications not marked as read."),
        ],
    )
)
class NotificationViewSet(OwnRecordsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Changes to what you follow, as readers see them: nothing of a draft, a claim once accepted."""

    queryset = Notification.objects.select_related("project")
    serializer_class = NotificationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        unread = self.request.query_params.get("unread") if self.action == "list" else None
        if unread not in (None, "true", "false"):
            raise serializers.ValidationError({"unread": [_("Give true or false.")]}, code="invalid")
        return queryset.filter(is_read=False) if unread == "true" else queryset

    @extend_schema(
        summary="Mark notifications as read: the ones listed, or all of them",
        request=MarkReadSerializer,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read")
    def read(self, request):
        body = MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"marked": services.mark_read(user=request.user, ids=body.validated_data.get("ids"))})


@extend_schema_view(
    list=extend_schema(summary="Your webhook subscriptions"),
    create=extend_schema(
        summary="Subscribe a URL to the changes you follow", responses={201: CreatedWebhookSerializer}
    ),
)
class WebhookViewSet(OwnRecordsMixin, viewsets.ModelViewSet):
    """Each change to what you follow is POSTed as JSON to the URL, signed with HMAC-SHA256 of the
    body under the secret (``X-Tracker-Signature: sha256=...``), with ``X-Tracker-Timestamp``
    (also the body's ``sent_at``) and ``X-Tracker-Delivery`` (also the body's ``delivery``)."""

    queryset = WebhookSubscription.objects.prefetch_related("follows")
    serializer_class = WebhookSerializer
    owner_field = "owner"

    def perform_update(self, serializer):
        with transaction.atomic():
            follows = serializer.validated_data.pop("follows", None)
            instance = serializer.save()
            if follows is not None:
                instance.follows.set(follows)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                instance = serializer.save()
        except IntegrityError as error:
            raise serializers.ValidationError({"non_field_errors": [str(error)]}) from error
        return Response(
            CreatedWebhookSerializer(instance, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="The calls made to this subscription, newest first", responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        page = self.paginate_queryset(WebhookDelivery.objects.filter(subscription=subscription))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
