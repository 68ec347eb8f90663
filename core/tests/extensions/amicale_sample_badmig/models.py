from sqlmodel import Field, SQLModel


class BadThing(SQLModel, table=True):
    __tablename__ = "sample_badmig_thing"

    id: int | None = Field(default=None, primary_key=True)
