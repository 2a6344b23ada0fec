from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='scenario_answers',
            field=models.JSONField(blank=True, default=list, help_text='情形引导答案: [{"key", "question", "value", "answer"}]; empty when the item has none'),
        ),
    ]
