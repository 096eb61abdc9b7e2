-- Collaborative Data Dashboard: the database schema.
--
-- The file is a sequence of versions. Each version starts with a line
--     -- version: N: description
-- and holds the DDL that moves a database from version N-1 to N. A new database
-- applies every version in order; an existing one applies only the versions above
-- the highest number in schema_version (forward migrations). Never edit a version
-- that has shipped: add a new one below it.

-- version: 1: initial data model
CREATE TABLE schema_version (
    version     INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL
);

-- Every row written to the database carries the batch that wrote it, so a batch can
-- be listed and undone. Ids are handed out under the write lock (max + 1), so a
-- rolled-back import leaves no trace, not even a used number. Build batches
-- (reference / lnob / sample) have no timestamp: a rebuild from the same files gives
-- identical content.
CREATE TABLE import_batches (
    batch_id      INTEGER PRIMARY KEY,
    kind          VARCHAR NOT NULL CHECK (kind IN ('reference', 'lnob', 'sample', 'upload', 'edit')),
    source        VARCHAR NOT NULL,          -- file name, or what the edit was
    sha256        VARCHAR CHECK (sha256 IS NULL OR length(sha256) = 64),
    size_bytes    BIGINT CHECK (size_bytes IS NULL OR size_bytes >= 0),
    rows_read     INTEGER CHECK (rows_read IS NULL OR rows_read >= 0),
    rows_imported INTEGER CHECK (rows_imported IS NULL OR rows_imported >= 0),
    rows_skipped  INTEGER CHECK (rows_skipped IS NULL OR rows_skipped >= 0),
    editor        VARCHAR,
    created_at    TIMESTAMP,
    status        VARCHAR NOT NULL DEFAULT 'imported' CHECK (status IN ('imported', 'undoing', 'undone')),
    undone_at     TIMESTAMP,
    undone_by     VARCHAR,
    note          VARCHAR,
    CHECK (kind IN ('reference', 'lnob', 'sample') OR created_at IS NOT NULL),
    CHECK ((status = 'undone') = (undone_at IS NOT NULL))
);

-- Reference: countries and territories (ISO 3166-1 alpha-3, plus XKX for Kosovo).
CREATE TABLE countries (
    iso3             VARCHAR PRIMARY KEY CHECK (length(iso3) = 3 AND iso3 = upper(iso3)),
    iso2             VARCHAR CHECK (iso2 IS NULL OR length(iso2) = 2),
    m49              INTEGER,
    name             VARCHAR NOT NULL,       -- short display name
    wb_name          VARCHAR,                -- World Bank spelling
    un_name          VARCHAR,                -- UN M49 spelling
    wb_region        VARCHAR,
    sdg_region       VARCHAR,
    un_region        VARCHAR,
    un_subregion     VARCHAR,
    income_group     VARCHAR CHECK (income_group IN ('Low income', 'Lower middle income', 'Upper middle income', 'High income')),
    lending_category VARCHAR CHECK (lending_category IN ('IDA', 'IBRD', 'Blend')),
    is_ldc           BOOLEAN NOT NULL DEFAULT false,
    is_lldc          BOOLEAN NOT NULL DEFAULT false,
    is_sids          BOOLEAN NOT NULL DEFAULT false,
    un_member        BOOLEAN,
    lon              DOUBLE CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
    lat              DOUBLE CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

-- Natural Earth 1:110m outlines; countries without a polygon are drawn as points.
CREATE TABLE country_shapes (
    iso3     VARCHAR PRIMARY KEY REFERENCES countries (iso3),
    geometry VARCHAR NOT NULL,               -- GeoJSON geometry object
    batch_id INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE collaboratives (
    collab_id        VARCHAR PRIMARY KEY CHECK (collab_id IN ('gender', 'lnob')),
    name             VARCHAR NOT NULL,
    -- the rhythm at which the collaborative meets, in months (min..max)
    cadence_min_months INTEGER NOT NULL CHECK (cadence_min_months > 0),
    cadence_max_months INTEGER NOT NULL,
    description      VARCHAR,
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id),
    CHECK (cadence_max_months >= cadence_min_months)
);

CREATE TABLE task_teams (
    team_id   VARCHAR PRIMARY KEY,
    collab_id VARCHAR NOT NULL REFERENCES collaboratives (collab_id),
    name      VARCHAR NOT NULL,
    batch_id  INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE activity_types (
    type_id            VARCHAR PRIMARY KEY,
    label              VARCHAR NOT NULL,
    is_knowledge_sharing BOOLEAN NOT NULL,
    batch_id           INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

-- LNOB dimensions a tool can address or an indicator can be broken down by.
CREATE TABLE lnob_dimensions (
    dimension_id VARCHAR PRIMARY KEY,
    label        VARCHAR NOT NULL,
    sort_order   INTEGER NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

-- The collaboratives' own records (sample until partners upload their own).
CREATE TABLE partners (
    partner_id  VARCHAR PRIMARY KEY CHECK (regexp_matches(partner_id, '^[a-z0-9_]+$')),
    name        VARCHAR NOT NULL UNIQUE,
    acronym     VARCHAR,
    org_type    VARCHAR NOT NULL CHECK (org_type IN ('multilateral', 'un_agency', 'bilateral', 'ngo', 'foundation', 'academic', 'government', 'network', 'private')),
    hq_iso3     VARCHAR REFERENCES countries (iso3),
    website     VARCHAR,
    description VARCHAR,
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE partner_memberships (
    partner_id VARCHAR NOT NULL REFERENCES partners (partner_id),
    collab_id  VARCHAR NOT NULL REFERENCES collaboratives (collab_id),
    joined_date DATE,
    is_sample  BOOLEAN NOT NULL,
    batch_id   INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (partner_id, collab_id)
);

CREATE TABLE task_team_members (
    team_id    VARCHAR NOT NULL REFERENCES task_teams (team_id),
    partner_id VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample  BOOLEAN NOT NULL,
    batch_id   INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (team_id, partner_id)
);

CREATE TABLE tools (
    tool_id     VARCHAR PRIMARY KEY CHECK (regexp_matches(tool_id, '^[a-z0-9_]+$')),
    name        VARCHAR NOT NULL UNIQUE,
    kind        VARCHAR NOT NULL CHECK (kind IN ('methodology', 'dataset', 'platform', 'index', 'training', 'guidance', 'standard')),
    stage       VARCHAR NOT NULL CHECK (stage IN ('concept', 'pilot', 'scaling', 'mature')),
    description VARCHAR,
    website     VARCHAR,
    launched_year INTEGER CHECK (launched_year IS NULL OR launched_year BETWEEN 1900 AND 2100),
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE tool_owners (
    tool_id    VARCHAR NOT NULL REFERENCES tools (tool_id),
    partner_id VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample  BOOLEAN NOT NULL,
    batch_id   INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (tool_id, partner_id)
);

CREATE TABLE tool_topics (
    tool_id   VARCHAR NOT NULL REFERENCES tools (tool_id),
    topic     VARCHAR NOT NULL,
    is_sample BOOLEAN NOT NULL,
    batch_id  INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (tool_id, topic)
);

CREATE TABLE tool_dimensions (
    tool_id      VARCHAR NOT NULL REFERENCES tools (tool_id),
    dimension_id VARCHAR NOT NULL REFERENCES lnob_dimensions (dimension_id),
    is_sample    BOOLEAN NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (tool_id, dimension_id)
);

CREATE TABLE country_programs (
    program_id   VARCHAR PRIMARY KEY,
    partner_id   VARCHAR NOT NULL REFERENCES partners (partner_id),
    iso3         VARCHAR NOT NULL REFERENCES countries (iso3),
    tool_id      VARCHAR REFERENCES tools (tool_id),
    support_type VARCHAR NOT NULL CHECK (support_type IN ('technical_assistance', 'training', 'data_production', 'tool_deployment', 'peer_review', 'advocacy', 'financing')),
    topic        VARCHAR,
    start_date   DATE NOT NULL,
    end_date     DATE,
    status       VARCHAR NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'paused')),
    notes        VARCHAR,
    is_sample    BOOLEAN NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE activities (
    activity_id   VARCHAR PRIMARY KEY,
    title         VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    type_id       VARCHAR NOT NULL REFERENCES activity_types (type_id),
    collab_id     VARCHAR REFERENCES collaboratives (collab_id),   -- NULL: outside both
    team_id       VARCHAR REFERENCES task_teams (team_id),         -- a task team's own meeting/work
    start_date    DATE NOT NULL,
    end_date      DATE,
    tool_id       VARCHAR REFERENCES tools (tool_id),
    outcome       VARCHAR,
    flags         VARCHAR,                   -- import warnings kept with the row
    source_row    INTEGER,                   -- row number in the uploaded file
    is_sample     BOOLEAN NOT NULL,
    batch_id      INTEGER NOT NULL REFERENCES import_batches (batch_id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE activity_partners (
    activity_id VARCHAR NOT NULL REFERENCES activities (activity_id),
    partner_id  VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (activity_id, partner_id)
);

CREATE TABLE activity_countries (
    activity_id VARCHAR NOT NULL REFERENCES activities (activity_id),
    iso3        VARCHAR NOT NULL REFERENCES countries (iso3),
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (activity_id, iso3)
);

CREATE TABLE collaborations (
    collaboration_id   VARCHAR PRIMARY KEY,
    title              VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL CHECK (kind IN ('joint_product', 'joint_programme', 'data_sharing', 'co_funding', 'joint_advocacy', 'peer_review_partnership')),
    started_date       DATE NOT NULL,
    origin_activity_id VARCHAR REFERENCES activities (activity_id),
    description        VARCHAR,
    is_sample          BOOLEAN NOT NULL,
    batch_id           INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE collaboration_partners (
    collaboration_id VARCHAR NOT NULL REFERENCES collaborations (collaboration_id),
    partner_id       VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample        BOOLEAN NOT NULL,
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (collaboration_id, partner_id)
);

-- A partner's column mapping for uploads, reused next time (scope: partner_id or 'admin').
CREATE TABLE column_mappings (
    scope    VARCHAR PRIMARY KEY,
    mapping  VARCHAR NOT NULL,               -- JSON: our field -> the file's column
    batch_id INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

-- KPIs and their targets per period.
CREATE TABLE kpis (
    kpi_id           VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    higher_is_better BOOLEAN NOT NULL DEFAULT true,
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE kpi_targets (
    kpi_id       VARCHAR NOT NULL REFERENCES kpis (kpi_id),
    period_type  VARCHAR NOT NULL CHECK (period_type IN ('quarter', 'half', 'year')),
    period_start DATE NOT NULL,
    target       DOUBLE NOT NULL CHECK (target >= 0),
    is_sample    BOOLEAN NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (kpi_id, period_type, period_start)
);

-- LNOB data-gap indicators (real public data).
CREATE TABLE indicators (
    indicator_id     VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    description      VARCHAR,
    unit             VARCHAR NOT NULL CHECK (unit IN ('percent', 'count', 'score')),
    dimension_id     VARCHAR REFERENCES lnob_dimensions (dimension_id),
    higher_is_better BOOLEAN NOT NULL DEFAULT true,
    source           VARCHAR NOT NULL,
    source_url       VARCHAR,
    licence          VARCHAR,
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

-- status says what a missing value means; a value is present exactly when status = 'value'.
CREATE TABLE indicator_values (
    indicator_id VARCHAR NOT NULL REFERENCES indicators (indicator_id),
    iso3         VARCHAR NOT NULL REFERENCES countries (iso3),
    year         INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    value        DOUBLE,
    status       VARCHAR NOT NULL CHECK (status IN ('value', 'not_collected', 'not_disaggregated', 'not_published')),
    source       VARCHAR NOT NULL,
    note         VARCHAR,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (indicator_id, iso3, year),
    CHECK ((status = 'value') = (value IS NOT NULL))
);

-- The 89 series of the UN Minimum Set of Gender Indicators, and per country which
-- exist and how they are broken down ('yes' a breakdown exists, 'no' totals only,
-- 'n/a' the series has no such dimension, 'female_only' for sex).
CREATE TABLE minset_series (
    series_id        VARCHAR PRIMARY KEY,
    indicator_label  VARCHAR NOT NULL,
    indicator_id     VARCHAR NOT NULL,
    indicator_desc   VARCHAR NOT NULL,
    series_desc      VARCHAR NOT NULL,
    sort_order       INTEGER NOT NULL,
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE series_availability (
    series_id        VARCHAR NOT NULL REFERENCES minset_series (series_id),
    iso3             VARCHAR NOT NULL REFERENCES countries (iso3),
    n_subseries      INTEGER,
    min_year         INTEGER,
    max_year         INTEGER,
    n_years          INTEGER,
    n_years_last5    INTEGER,
    n_years_last10   INTEGER,
    by_sex           VARCHAR NOT NULL CHECK (by_sex IN ('yes', 'no', 'n/a', 'female_only')),
    by_age           VARCHAR NOT NULL CHECK (by_age IN ('yes', 'no', 'n/a')),
    by_location      VARCHAR NOT NULL CHECK (by_location IN ('yes', 'no', 'n/a')),
    by_disability    VARCHAR NOT NULL CHECK (by_disability IN ('yes', 'no', 'n/a')),
    by_income_wealth VARCHAR NOT NULL CHECK (by_income_wealth IN ('yes', 'no', 'n/a')),
    by_education     VARCHAR NOT NULL CHECK (by_education IN ('yes', 'no', 'n/a')),
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (series_id, iso3),
    CHECK (min_year IS NULL OR max_year IS NULL OR max_year >= min_year)
);

-- version: 2: history of KPI target changes
-- Every change of a target made in the app is an 'edit' import batch (who, when) that
-- rewrites the kpi_targets row and adds one row here with the value before and after,
-- so the page can show the history of targets. old_target is NULL when the KPI had no
-- target for the period before the change.
CREATE TABLE kpi_target_changes (
    batch_id     INTEGER PRIMARY KEY REFERENCES import_batches (batch_id),   -- one change per edit batch
    kpi_id       VARCHAR NOT NULL REFERENCES kpis (kpi_id),
    period_type  VARCHAR NOT NULL CHECK (period_type IN ('quarter', 'half', 'year')),
    period_start DATE NOT NULL,
    old_target   DOUBLE CHECK (old_target IS NULL OR old_target >= 0),
    new_target   DOUBLE NOT NULL CHECK (new_target >= 0),
    CHECK (old_target IS NULL OR old_target <> new_target)
);

-- version: 3: reporting cycle of each collaborative, with history
-- How often partners are expected to report (activities, programme changes), per
-- collaborative. Every change made in the app is an 'edit' import batch (who, when) that
-- adds one row here; the cycle in force is the newest row's new_months, and quarterly
-- (3 months) while a collaborative has none. Undoing the batch removes its row, so the
-- cycle goes back to the one before.
CREATE TABLE reporting_cycle_changes (
    batch_id   INTEGER PRIMARY KEY REFERENCES import_batches (batch_id),   -- one change per edit batch
    collab_id  VARCHAR NOT NULL REFERENCES collaboratives (collab_id),
    old_months INTEGER NOT NULL CHECK (old_months IN (1, 2, 3, 4, 6, 12)),
    new_months INTEGER NOT NULL CHECK (new_months IN (1, 2, 3, 4, 6, 12)),
    CHECK (old_months <> new_months)
);

-- version: 4: editable records with history; memberships with left dates; retired tools; targets files
-- Records can now be edited and retired. Names of partners and tools stay unique, but the
-- check moves to the writers: DuckDB cannot update a UNIQUE column of a row that other
-- tables refer to, so a rename would be impossible. The record tables are re-created
-- (their rows copied across, children dropped before parents) with the new columns:
-- partners' IATI organisation identifier and Inclusive Data Charter champion flag,
-- left dates of collaborative and task-team memberships, a tool's retirement date and
-- a programme's external identifier. record_changes keeps every edit old -> new.
CREATE TEMP TABLE v4_partners AS SELECT * FROM partners;
CREATE TEMP TABLE v4_partner_memberships AS SELECT * FROM partner_memberships;
CREATE TEMP TABLE v4_task_team_members AS SELECT * FROM task_team_members;
CREATE TEMP TABLE v4_tools AS SELECT * FROM tools;
CREATE TEMP TABLE v4_tool_owners AS SELECT * FROM tool_owners;
CREATE TEMP TABLE v4_tool_topics AS SELECT * FROM tool_topics;
CREATE TEMP TABLE v4_tool_dimensions AS SELECT * FROM tool_dimensions;
CREATE TEMP TABLE v4_country_programs AS SELECT * FROM country_programs;
CREATE TEMP TABLE v4_activities AS SELECT * FROM activities;
CREATE TEMP TABLE v4_activity_partners AS SELECT * FROM activity_partners;
CREATE TEMP TABLE v4_activity_countries AS SELECT * FROM activity_countries;
CREATE TEMP TABLE v4_collaborations AS SELECT * FROM collaborations;
CREATE TEMP TABLE v4_collaboration_partners AS SELECT * FROM collaboration_partners;
DROP TABLE collaboration_partners;
DROP TABLE collaborations;
DROP TABLE activity_countries;
DROP TABLE activity_partners;
DROP TABLE activities;
DROP TABLE country_programs;
DROP TABLE tool_dimensions;
DROP TABLE tool_topics;
DROP TABLE tool_owners;
DROP TABLE tools;
DROP TABLE task_team_members;
DROP TABLE partner_memberships;
DROP TABLE partners;
CREATE TABLE partners (
    partner_id  VARCHAR PRIMARY KEY CHECK (regexp_matches(partner_id, '^[a-z0-9_]+$')),
    name        VARCHAR NOT NULL,              -- unique: checked by every writer (a rename must stay possible)
    acronym     VARCHAR,
    org_type    VARCHAR NOT NULL CHECK (org_type IN ('multilateral', 'un_agency', 'bilateral', 'ngo', 'foundation', 'academic', 'government', 'network', 'private')),
    hq_iso3     VARCHAR REFERENCES countries (iso3),
    website     VARCHAR,
    description VARCHAR,
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id),
    iati_org_id VARCHAR,                       -- IATI organisation identifier, e.g. XM-DAC-41304
    idc_champion BOOLEAN NOT NULL DEFAULT false  -- an Inclusive Data Charter champion
);
INSERT INTO partners BY NAME SELECT * FROM v4_partners;
DROP TABLE v4_partners;
CREATE TABLE partner_memberships (
    partner_id VARCHAR NOT NULL REFERENCES partners (partner_id),
    collab_id  VARCHAR NOT NULL REFERENCES collaboratives (collab_id),
    joined_date DATE,
    is_sample  BOOLEAN NOT NULL,
    batch_id   INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (partner_id, collab_id),
    left_date  DATE,                      -- NULL: still a member
    CHECK (left_date IS NULL OR joined_date IS NULL OR left_date >= joined_date)
);
INSERT INTO partner_memberships BY NAME SELECT * FROM v4_partner_memberships;
DROP TABLE v4_partner_memberships;
CREATE TABLE task_team_members (
    team_id    VARCHAR NOT NULL REFERENCES task_teams (team_id),
    partner_id VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample  BOOLEAN NOT NULL,
    batch_id   INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (team_id, partner_id),
    joined_date DATE,
    left_date  DATE,                      -- NULL: still in the team
    CHECK (left_date IS NULL OR joined_date IS NULL OR left_date >= joined_date)
);
INSERT INTO task_team_members BY NAME SELECT * FROM v4_task_team_members;
DROP TABLE v4_task_team_members;
CREATE TABLE tools (
    tool_id     VARCHAR PRIMARY KEY CHECK (regexp_matches(tool_id, '^[a-z0-9_]+$')),
    name        VARCHAR NOT NULL,              -- unique: checked by every writer
    kind        VARCHAR NOT NULL CHECK (kind IN ('methodology', 'dataset', 'platform', 'index', 'training', 'guidance', 'standard')),
    stage       VARCHAR NOT NULL CHECK (stage IN ('concept', 'pilot', 'scaling', 'mature')),
    description VARCHAR,
    website     VARCHAR,
    launched_year INTEGER CHECK (launched_year IS NULL OR launched_year BETWEEN 1900 AND 2100),
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id),
    retired_date DATE                          -- discontinued on; NULL: in use
);
INSERT INTO tools BY NAME SELECT * FROM v4_tools;
DROP TABLE v4_tools;
CREATE TABLE tool_owners (
    tool_id    VARCHAR NOT NULL REFERENCES tools (tool_id),
    partner_id VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample  BOOLEAN NOT NULL,
    batch_id   INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (tool_id, partner_id)
);
INSERT INTO tool_owners BY NAME SELECT * FROM v4_tool_owners;
DROP TABLE v4_tool_owners;
CREATE TABLE tool_topics (
    tool_id   VARCHAR NOT NULL REFERENCES tools (tool_id),
    topic     VARCHAR NOT NULL,
    is_sample BOOLEAN NOT NULL,
    batch_id  INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (tool_id, topic)
);
INSERT INTO tool_topics BY NAME SELECT * FROM v4_tool_topics;
DROP TABLE v4_tool_topics;
CREATE TABLE tool_dimensions (
    tool_id      VARCHAR NOT NULL REFERENCES tools (tool_id),
    dimension_id VARCHAR NOT NULL REFERENCES lnob_dimensions (dimension_id),
    is_sample    BOOLEAN NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (tool_id, dimension_id)
);
INSERT INTO tool_dimensions BY NAME SELECT * FROM v4_tool_dimensions;
DROP TABLE v4_tool_dimensions;
CREATE TABLE country_programs (
    program_id   VARCHAR PRIMARY KEY,
    partner_id   VARCHAR NOT NULL REFERENCES partners (partner_id),
    iso3         VARCHAR NOT NULL REFERENCES countries (iso3),
    tool_id      VARCHAR REFERENCES tools (tool_id),
    support_type VARCHAR NOT NULL CHECK (support_type IN ('technical_assistance', 'training', 'data_production', 'tool_deployment', 'peer_review', 'advocacy', 'financing')),
    topic        VARCHAR,
    start_date   DATE NOT NULL,
    end_date     DATE,
    status       VARCHAR NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'paused')),
    notes        VARCHAR,
    is_sample    BOOLEAN NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id),
    CHECK (end_date IS NULL OR end_date >= start_date),
    external_id  VARCHAR                       -- the publisher's identifier (IATI activity), when imported
);
INSERT INTO country_programs BY NAME SELECT * FROM v4_country_programs;
DROP TABLE v4_country_programs;
CREATE TABLE activities (
    activity_id   VARCHAR PRIMARY KEY,
    title         VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    type_id       VARCHAR NOT NULL REFERENCES activity_types (type_id),
    collab_id     VARCHAR REFERENCES collaboratives (collab_id),   -- NULL: outside both
    team_id       VARCHAR REFERENCES task_teams (team_id),         -- a task team's own meeting/work
    start_date    DATE NOT NULL,
    end_date      DATE,
    tool_id       VARCHAR REFERENCES tools (tool_id),
    outcome       VARCHAR,
    flags         VARCHAR,                   -- import warnings kept with the row
    source_row    INTEGER,                   -- row number in the uploaded file
    is_sample     BOOLEAN NOT NULL,
    batch_id      INTEGER NOT NULL REFERENCES import_batches (batch_id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
INSERT INTO activities BY NAME SELECT * FROM v4_activities;
DROP TABLE v4_activities;
CREATE TABLE activity_partners (
    activity_id VARCHAR NOT NULL REFERENCES activities (activity_id),
    partner_id  VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (activity_id, partner_id)
);
INSERT INTO activity_partners BY NAME SELECT * FROM v4_activity_partners;
DROP TABLE v4_activity_partners;
CREATE TABLE activity_countries (
    activity_id VARCHAR NOT NULL REFERENCES activities (activity_id),
    iso3        VARCHAR NOT NULL REFERENCES countries (iso3),
    is_sample   BOOLEAN NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (activity_id, iso3)
);
INSERT INTO activity_countries BY NAME SELECT * FROM v4_activity_countries;
DROP TABLE v4_activity_countries;
CREATE TABLE collaborations (
    collaboration_id   VARCHAR PRIMARY KEY,
    title              VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL CHECK (kind IN ('joint_product', 'joint_programme', 'data_sharing', 'co_funding', 'joint_advocacy', 'peer_review_partnership')),
    started_date       DATE NOT NULL,
    origin_activity_id VARCHAR REFERENCES activities (activity_id),
    description        VARCHAR,
    is_sample          BOOLEAN NOT NULL,
    batch_id           INTEGER NOT NULL REFERENCES import_batches (batch_id)
);
INSERT INTO collaborations BY NAME SELECT * FROM v4_collaborations;
DROP TABLE v4_collaborations;
CREATE TABLE collaboration_partners (
    collaboration_id VARCHAR NOT NULL REFERENCES collaborations (collaboration_id),
    partner_id       VARCHAR NOT NULL REFERENCES partners (partner_id),
    is_sample        BOOLEAN NOT NULL,
    batch_id         INTEGER NOT NULL REFERENCES import_batches (batch_id),
    PRIMARY KEY (collaboration_id, partner_id)
);
INSERT INTO collaboration_partners BY NAME SELECT * FROM v4_collaboration_partners;
DROP TABLE v4_collaboration_partners;

-- A targets file changes several targets in one batch: one history row per target.
CREATE TEMP TABLE v4_kpi_target_changes AS SELECT * FROM kpi_target_changes;
DROP TABLE kpi_target_changes;
CREATE TABLE kpi_target_changes (
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id),
    kpi_id       VARCHAR NOT NULL REFERENCES kpis (kpi_id),
    period_type  VARCHAR NOT NULL CHECK (period_type IN ('quarter', 'half', 'year')),
    period_start DATE NOT NULL,
    old_target   DOUBLE CHECK (old_target IS NULL OR old_target >= 0),
    new_target   DOUBLE NOT NULL CHECK (new_target >= 0),
    PRIMARY KEY (batch_id, kpi_id, period_type, period_start),
    CHECK (old_target IS NULL OR old_target <> new_target)
);
INSERT INTO kpi_target_changes BY NAME SELECT * FROM v4_kpi_target_changes;
DROP TABLE v4_kpi_target_changes;

-- Every edit of a record made through the write path: one row per changed column
-- (update), per row added (insert: the new row as JSON) or removed (delete: the old
-- row as JSON), in the order they were made. record_key is the primary key as JSON.
-- Undoing the batch puts the old values back; the rows stay as history of what was done.
CREATE TABLE record_changes (
    batch_id    INTEGER NOT NULL REFERENCES import_batches (batch_id),
    seq         INTEGER NOT NULL,
    table_name  VARCHAR NOT NULL,
    record_key  VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    column_name VARCHAR,
    old_value   VARCHAR,
    new_value   VARCHAR,
    PRIMARY KEY (batch_id, seq),
    CHECK ((action = 'update') = (column_name IS NOT NULL))
);

-- version: 5: programmes from published sources
-- A programme read from an IATI activity file, a 3W sheet or a sheet: its title and
-- description, the recipient country's share of the activity (percentage, 0-100: checked
-- by the importers, ALTER cannot add a CHECK), the OECD DAC gender marker (significance 0,
-- 1 or 2; NULL: not screened), sector codes separated by '; ', the format it came from
-- ('iati', '3w', 'sheet'; NULL: before version 5) and sub-national areas (3W).
ALTER TABLE country_programs ADD COLUMN title VARCHAR;
ALTER TABLE country_programs ADD COLUMN description VARCHAR;
ALTER TABLE country_programs ADD COLUMN percentage DOUBLE;
ALTER TABLE country_programs ADD COLUMN gender_marker INTEGER;
ALTER TABLE country_programs ADD COLUMN sectors VARCHAR;
ALTER TABLE country_programs ADD COLUMN source_format VARCHAR;
ALTER TABLE country_programs ADD COLUMN areas VARCHAR;
