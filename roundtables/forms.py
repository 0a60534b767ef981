"""Choice fields naming a roundtable or room with its forum, for the committee's admin."""

from django import forms


# Choices named with their forum: every edition has a "Roundtable 1" and a "Room A".
def roundtable_label(roundtable):
    """“Dhaka 2016 · Roundtable 1: Protection of migrant workers” (fetch the roundtable with its forum)."""
    return f"{roundtable.forum.name} · {roundtable}"


def room_label(room):
    """“Dhaka 2016 · Hall A” (fetch the room with its forum)."""
    return f"{room.forum.name} · {room.name}"


class RoundtableChoiceField(forms.ModelChoiceField):
    """A roundtable among those of several forums; give it a queryset with ``select_related("forum")``."""

    def label_from_instance(self, obj):
        return roundtable_label(obj)


class RoundtableMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Roundtables among those of several forums; give it a queryset with ``select_related("forum")``."""

    def label_from_instance(self, obj):
        return roundtable_label(obj)


class RoomChoiceField(forms.ModelChoiceField):
    """A room among those of several forums; give it a queryset with ``select_related("forum")``."""

    def label_from_instance(self, obj):
        return room_label(obj)
