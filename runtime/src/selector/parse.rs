//! The label selector parser (apimachinery/pkg/labels/selector.go): tokens and the
//! grammar of `?labelSelector=`.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Ident(&'a str),
    Bang,
    NotEquals,
    Equals,
    DoubleEquals,
    Greater,
    Less,
    Open,
    Close,
    Comma,
    End,
}

impl Token<'_> {
    pub(super) fn describe(&self) -> String {
        match self {
            Token::Ident(s) => format!("'{s}'"),
            Token::Bang => "'!'".into(),
            Token::NotEquals => "'!='".into(),
            Token::Equals => "'='".into(),
            Token::DoubleEquals => "'=='".into(),
            Token::Greater => "'>'".into(),
            Token::Less => "'<'".into(),
            Token::Open => "'('".into(),
            Token::Close => "')'".into(),
            Token::Comma => "','".into(),
            Token::End => "end of string".into(),
        }
    }
}

pub(super) fn is_special(c: char) -> bool {
    matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<')
}

pub(super) struct Parser<'a> {
    pub(super) input: &'a str,
    pub(super) pos: usize,
}

impl<'a> Parser<'a> {
    /// Skip whitespace, return the next token and its start without consuming it.
    pub(super) fn peek(&mut self) -> (Token<'a>, usize, usize) {
        let rest = &self.input[self.pos..];
        let trimmed = rest.trim_start();
        let start = self.pos + (rest.len() - trimmed.len());
        self.pos = start;
        let mut chars = trimmed.chars();
        let Some(c) = chars.next() else {
            return (Token::End, start, start);
        };
        let next = chars.next();
        let (tok, len) = match (c, next) {
            ('!', Some('=')) => (Token::NotEquals, 2),
            ('!', _) => (Token::Bang, 1),
            ('=', Some('=')) => (Token::DoubleEquals, 2),
            ('=', _) => (Token::Equals, 1),
            ('>', _) => (Token::Greater, 1),
            ('<', _) => (Token::Less, 1),
            ('(', _) => (Token::Open, 1),
            (')', _) => (Token::Close, 1),
            (',', _) => (Token::Comma, 1),
            _ => {
                let len = trimmed
                    .find(|c: char| c.is_whitespace() || is_special(c))
                    .unwrap_or(trimmed.len());
                (Token::Ident(&trimmed[..len]), len)
            }
        };
        (tok, start, start + len)
    }

    pub(super) fn next(&mut self) -> (Token<'a>, usize) {
        let (tok, start, end) = self.peek();
        self.pos = end;
        (tok, start)
    }

    pub(super) fn error(&self, position: usize, message: String) -> SelectorError {
        SelectorError::Syntax {
            input: self.input.to_owned(),
            position,
            message,
        }
    }

    pub(super) fn parse(mut self) -> Result<Selector, SelectorError> {
        let mut requirements = Vec::new();
        if self.peek().0 == Token::End {
            return Ok(Selector::everything());
        }
        loop {
            requirements.push(self.requirement()?);
            match self.next() {
                (Token::End, _) => break,
                (Token::Comma, at) => {
                    if matches!(self.peek().0, Token::End | Token::Comma) {
                        return Err(
                            self.error(at, "found ',', expected: identifier after ','".to_owned())
                        );
                    }
                }
                (tok, at) => {
                    return Err(self.error(
                        at,
                        format!("found {}, expected: ',' or end of string", tok.describe()),
                    ));
                }
            }
        }
        Ok(Selector::from_requirements(requirements))
    }

    pub(super) fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        let (mut tok, mut at) = self.next();
        let negated = tok == Token::Bang;
        if negated {
            (tok, at) = self.next();
        }
        let Token::Ident(key) = tok else {
            return Err(self.error(
                at,
                format!("found {}, expected: identifier", tok.describe()),
            ));
        };
        validate_label_key(key)?;
        let (after, after_at, _) = self.peek();
        if matches!(after, Token::End | Token::Comma) {
            let op = if negated {
                Operator::DoesNotExist
            } else {
                Operator::Exists
            };
            return Requirement::new(key, op, std::iter::empty::<String>());
        }
        if negated {
            return Err(self.error(
                after_at,
                format!("found {}, expected: ',' or end of string", after.describe()),
            ));
        }
        let (op_tok, op_at) = self.next();
        let operator = match op_tok {
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::NotEquals => Operator::NotEquals,
            Token::Greater => Operator::GreaterThan,
            Token::Less => Operator::LessThan,
            Token::Ident("in") => Operator::In,
            Token::Ident("notin") => Operator::NotIn,
            other => {
                return Err(self.error(
                    op_at,
                    format!(
                        "found {}, expected: '=', '!=', '==', 'in', 'notin', '>' or '<'",
                        other.describe()
                    ),
                ));
            }
        };
        let values = if matches!(operator, Operator::In | Operator::NotIn) {
            self.value_set()?
        } else {
            match self.peek() {
                (Token::End | Token::Comma, _, _) => vec![""],
                (Token::Ident(v), _, end) => {
                    self.pos = end;
                    vec![v]
                }
                (other, at, _) => {
                    return Err(
                        self.error(at, format!("found {}, expected: value", other.describe()))
                    );
                }
            }
        };
        Requirement::new(key, operator, values)
    }

    /// `( v1, v2, ... )`; an empty slot between commas is the empty value, as in
    /// apimachinery.
    pub(super) fn value_set(&mut self) -> Result<Vec<&'a str>, SelectorError> {
        let (tok, at) = self.next();
        if tok != Token::Open {
            return Err(self.error(at, format!("found {}, expected: '('", tok.describe())));
        }
        let mut values = Vec::new();
        if let (Token::Close, _, end) = self.peek() {
            self.pos = end;
            return Ok(values);
        }
        loop {
            let value = match self.peek() {
                (Token::Ident(v), _, end) => {
                    self.pos = end;
                    v
                }
                (Token::Comma | Token::Close, _, _) => "",
                (other, at, _) => {
                    return Err(self.error(
                        at,
                        format!("found {}, expected: value, ',' or ')'", other.describe()),
                    ));
                }
            };
            values.push(value);
            match self.next() {
                (Token::Comma, _) => continue,
                (Token::Close, _) => return Ok(values),
                (other, at) => {
                    return Err(self.error(
                        at,
                        format!("found {}, expected: ',' or ')'", other.describe()),
                    ));
                }
            }
        }
    }
}
