-- Trim points of a pad (issue 18): the first frame played and the frame after the last, counted
-- in the source audio's frames; both null plays the whole sample. The engine checks end against
-- the sample's length, which this table does not know.
alter table app.kit_pads add column trim_start bigint;
alter table app.kit_pads add column trim_end bigint;
alter table app.kit_pads add constraint kit_pads_trim_check
    check ((trim_start is null and trim_end is null)
           or (trim_start >= 0 and trim_end > trim_start));
