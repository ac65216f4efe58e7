"""Every free text has a maximum length (projects/models/limits.py), checked by the models'
validation with a message naming the field. The columns stay ``text``: nothing changes in the
database, the limits apply to what is written from now on."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_list_indexes_and_search"),
    ]

    operations = [
        migrations.AlterField(
            model_name="claim",
            name="quote",
            field=models.TextField(
                blank=True,
                help_text="The source's own words supporting the value.",
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="quote",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="description",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="quote",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="quote",
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="description",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="organizationrelationship",
            name="quote",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="quote",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="description",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="text",
            field=models.TextField(
                blank=True,
                help_text="Optional; extraction reads it and quotes point into it.",
                max_length=500000,
                validators=[django.core.validators.MaxLengthValidator(500000)],
                verbose_name="full text",
            ),
        ),
    ]
