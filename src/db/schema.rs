// Diesel table definitions, kept by hand in step with `migrations/`.

diesel::table! {
    municipalities (code) {
        code -> Text,
        name_fi -> Text,
        name_sv -> Text,
        centre_latitude -> Float8,
        centre_longitude -> Float8,
        centre_confidence -> Text,
    }
}

diesel::table! {
    postal_codes (code) {
        code -> Text,
        name_fi -> Text,
        name_sv -> Text,
        municipality_code -> Text,
        posti_type -> Text,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        coordinate_confidence -> Text,
    }
}

diesel::table! {
    sources (key) {
        key -> Text,
        title -> Text,
        url -> Nullable<Text>,
        licence -> Nullable<Text>,
    }
}

diesel::table! {
    topics (code) {
        code -> Text,
        label_fi -> Text,
        label_sv -> Text,
        label_en -> Text,
        description_fi -> Nullable<Text>,
        description_sv -> Nullable<Text>,
        description_en -> Nullable<Text>,
        sort_order -> Int4,
    }
}

diesel::table! {
    languages (code) {
        code -> Text,
        name_fi -> Text,
        name_sv -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        kind -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        description_fi -> Nullable<Text>,
        description_sv -> Nullable<Text>,
        description_en -> Nullable<Text>,
        parent_id -> Nullable<Text>,
        network -> Nullable<Text>,
        website -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        confidence -> Text,
        sources -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        verified_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int8,
    }
}

diesel::table! {
    locations (id) {
        id -> Text,
        organization_id -> Text,
        kind -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        description_fi -> Nullable<Text>,
        description_sv -> Nullable<Text>,
        description_en -> Nullable<Text>,
        street_address -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        post_office -> Nullable<Text>,
        municipality_code -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        coordinate_method -> Nullable<Text>,
        accessibility_fi -> Nullable<Text>,
        accessibility_sv -> Nullable<Text>,
        accessibility_en -> Nullable<Text>,
        transit_fi -> Nullable<Text>,
        transit_sv -> Nullable<Text>,
        transit_en -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        website -> Nullable<Text>,
        served_municipalities -> Array<Text>,
        status -> Text,
        hours_notes -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        confidence -> Text,
        confidence_detail -> Jsonb,
        sources -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        verified_at -> Nullable<Timestamptz>,
        verified_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int8,
    }
}

diesel::table! {
    location_languages (location_id, language_code) {
        location_id -> Text,
        language_code -> Text,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        organization_id -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        description_fi -> Nullable<Text>,
        description_sv -> Nullable<Text>,
        description_en -> Nullable<Text>,
        delivery_modes -> Array<Text>,
        audience -> Array<Text>,
        cost_fi -> Nullable<Text>,
        cost_sv -> Nullable<Text>,
        cost_en -> Nullable<Text>,
        assistance_level -> Text,
        source -> Text,
        external_id -> Nullable<Text>,
        confidence -> Text,
        sources -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        verified_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int8,
    }
}

diesel::table! {
    service_topics (service_id, topic_code) {
        service_id -> Text,
        topic_code -> Text,
    }
}

diesel::table! {
    service_languages (service_id, language_code) {
        service_id -> Text,
        language_code -> Text,
    }
}

diesel::table! {
    services_at_locations (id) {
        id -> Text,
        service_id -> Text,
        location_id -> Text,
        note_fi -> Nullable<Text>,
        note_sv -> Nullable<Text>,
        note_en -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        confidence -> Text,
        sources -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        verified_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        appointment -> Nullable<Jsonb>,
        version -> Int8,
    }
}

diesel::table! {
    opening_hours (id) {
        id -> Int8,
        location_id -> Nullable<Text>,
        service_at_location_id -> Nullable<Text>,
        document -> Jsonb,
        confidence -> Text,
        source_note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contacts (id) {
        id -> Int8,
        organization_id -> Nullable<Text>,
        location_id -> Nullable<Text>,
        service_id -> Nullable<Text>,
        name -> Nullable<Text>,
        title_fi -> Nullable<Text>,
        title_sv -> Nullable<Text>,
        title_en -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Int8,
        organization_id -> Text,
        name -> Text,
        token_sha256 -> Text,
        token_prefix -> Text,
        is_admin -> Bool,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    editor_sessions (secret_sha256) {
        secret_sha256 -> Text,
        token_id -> Int8,
        csrf -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    history (id) {
        id -> Int8,
        entity_type -> Text,
        entity_id -> Text,
        action -> Text,
        token_id -> Nullable<Int8>,
        token_name -> Text,
        organization_id -> Text,
        at -> Timestamptz,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        actor -> Text,
    }
}

diesel::joinable!(editor_sessions -> api_tokens (token_id));
diesel::joinable!(locations -> organizations (organization_id));
diesel::joinable!(services -> organizations (organization_id));
diesel::joinable!(services_at_locations -> services (service_id));
diesel::joinable!(services_at_locations -> locations (location_id));
diesel::allow_tables_to_appear_in_same_query!(
    municipalities,
    postal_codes,
    sources,
    topics,
    languages,
    organizations,
    locations,
    location_languages,
    services,
    service_topics,
    service_languages,
    services_at_locations,
    contacts,
    opening_hours,
    api_tokens,
    editor_sessions,
    history,
);

diesel::table! {
    idempotency_keys (token_id, key) {
        token_id -> Int8,
        key -> Text,
        request -> Text,
        request_sha256 -> Text,
        entity_type -> Text,
        entity_id -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        organization_id -> Text,
        location_id -> Nullable<Text>,
        status -> Text,
        document -> Jsonb,
        source -> Text,
        external_id -> Nullable<Text>,
        confidence -> Text,
        sources -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        verified_at -> Nullable<Timestamptz>,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}
